/**
 * A Mermaid flowchart builder. All escaping lives here: node ids are derived from names by an
 * injective encoding (so `end`, `a--b` or `x"y` cannot collide with syntax), and every label is
 * quoted with every character outside a small safe set written as a Mermaid entity code (`#34;`).
 */
const ALL_SAFE = /^[A-Za-z0-9 .,:/_+=@()-]*$/;
const UNSAFE = /[^A-Za-z0-9 .,:/_+=@()-]/gu;

/** A node id: `<kind>_<name>` with every character outside [A-Za-z0-9] written as `_<hex>_`. */
export function nodeId(kind: string, ...parts: string[]): string {
  return [kind, ...parts.map((p) => [...p].map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16)}_`)).join(""))].join("_");
}

/** Text for inside a quoted label: safe characters as they are, the rest as `#<code>;`. */
export function escapeText(s: string): string {
  // One pass over the string (labels can be long: a mesh node lists every peer).
  return ALL_SAFE.test(s) ? s : s.replace(UNSAFE, (ch) => `#${ch.codePointAt(0)};`);
}

/** A quoted label of several lines. */
export function label(...lines: (string | undefined)[]): string {
  return `"${lines.filter((l): l is string => l !== undefined && l !== "").map(escapeText).join("<br/>")}"`;
}

export type Shape = "rect" | "round" | "stadium" | "circle" | "cylinder" | "hexagon" | "parallelogram" | "subroutine";
const SHAPES: Record<Shape, [string, string]> = {
  rect: ["[", "]"],
  round: ["(", ")"],
  stadium: ["([", "])"],
  circle: ["((", "))"],
  cylinder: ["[(", ")]"],
  hexagon: ["{{", "}}"],
  parallelogram: ["[/", "/]"],
  subroutine: ["[[", "]]"],
};

export type EdgeStyle = "line" | "arrow" | "dotted" | "thick";
const EDGES: Record<EdgeStyle, string> = { line: "---", arrow: "-->", dotted: "-.->", thick: "===" };

export class Flowchart {
  private readonly lines: string[] = [];
  private depth = 1;

  constructor(direction: "LR" | "TB") {
    this.lines.push(`flowchart ${direction}`);
  }

  private push(s: string): void {
    this.lines.push("  ".repeat(this.depth) + s);
  }

  comment(text: string): void {
    this.push(`%% ${text.replace(/[\r\n]+/g, " ")}`);
  }

  node(id: string, text: string, shape: Shape = "rect"): void {
    const [open, close] = SHAPES[shape];
    this.push(`${id}${open}${text}${close}`);
  }

  edge(from: string, to: string, style: EdgeStyle = "line", text?: string): void {
    this.push(`${from} ${EDGES[style]}${text !== undefined ? `|${text}|` : ""} ${to}`);
  }

  subgraph(id: string, text: string, body: () => void, direction?: "LR" | "TB"): void {
    this.push(`subgraph ${id}[${text}]`);
    this.depth++;
    if (direction) this.push(`direction ${direction}`);
    body();
    this.depth--;
    this.push("end");
  }

  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}
