/**
 * A small printer for the topology literal `topo import` writes: object keys bare where they are
 * identifiers, double-quoted strings, short objects on one line, comments on the line above the
 * property they explain, and properties that could not be imported written commented out (so the
 * author sees what to fill in, and the file still compiles).
 */
const COMMENTED = Symbol("commented");
const DISABLED = Symbol("disabled");

export interface Commented {
  readonly [COMMENTED]: true;
  readonly comment: readonly string[];
  readonly value: TsValue;
}
export interface Disabled {
  readonly [DISABLED]: true;
  readonly comment: readonly string[];
  readonly value: TsValue;
}
export type TsValue = string | number | boolean | null | readonly TsValue[] | { readonly [k: string]: TsValue } | Commented | Disabled;

/** A value with comment lines above it. */
export const commented = (comment: string | readonly string[], value: TsValue): Commented => ({ [COMMENTED]: true, comment: typeof comment === "string" ? [comment] : comment, value });
/** A property written commented out, with why. */
export const disabled = (comment: string | readonly string[], value: TsValue): Disabled => ({ [DISABLED]: true, comment: typeof comment === "string" ? [comment] : comment, value });

const isCommented = (v: TsValue): v is Commented => typeof v === "object" && v !== null && COMMENTED in v;
export const isDisabled = (v: TsValue): v is Disabled => typeof v === "object" && v !== null && DISABLED in v;

const WIDTH = 110;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function tsKey(k: string): string {
  return IDENT.test(k) ? k : JSON.stringify(k);
}

/** One comment line: no line breaks can escape it. */
const commentLine = (s: string) => (s === "" ? "//" : "// " + s.replace(/[\r\n\u2028\u2029]+/g, " "));

/** Values with comments inside cannot go on one line. */
function hasComments(v: TsValue): boolean {
  if (isCommented(v) || isDisabled(v)) return true;
  if (Array.isArray(v)) return v.some(hasComments);
  if (v && typeof v === "object") return Object.values(v as Record<string, TsValue>).some(hasComments);
  return false;
}

function inline(v: TsValue): string {
  if (v === null || typeof v !== "object") return typeof v === "string" ? JSON.stringify(v) : String(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(", ")}]`;
  const entries = Object.entries(v as Record<string, TsValue>);
  return entries.length ? `{ ${entries.map(([k, x]) => `${tsKey(k)}: ${inline(x)}`).join(", ")} }` : "{}";
}

function print(v: TsValue, indent: string, prefixLen: number): string {
  if (isCommented(v) || isDisabled(v)) return print(v.value, indent, prefixLen);
  if (v === null || typeof v !== "object") return inline(v);
  const one = inline(v);
  if (!hasComments(v) && indent.length + prefixLen + one.length + 1 <= WIDTH) return one;
  const inner = indent + "  ";
  const lines: string[] = [];
  const emit = (label: string, x: TsValue) => {
    if (isCommented(x)) for (const c of x.comment) lines.push(inner + commentLine(c));
    if (isDisabled(x)) {
      for (const c of x.comment) lines.push(inner + commentLine(c));
      for (const l of `${label}${print(x.value, "", label.length)},`.split("\n")) lines.push(inner + "// " + l);
      return;
    }
    lines.push(`${inner}${label}${print(x, inner, label.length)},`);
  };
  if (Array.isArray(v)) {
    for (const x of v) emit("", x);
    return `[\n${lines.join("\n")}\n${indent}]`;
  }
  for (const [k, x] of Object.entries(v as Record<string, TsValue>)) emit(`${tsKey(k)}: `, x);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** `topology.ts`: header comment, the import, and `export default defineTopology(...)`. */
export function printTopologyModule(header: readonly string[], topology: TsValue): string {
  const head = header.map(commentLine).join("\n");
  return `${head}\nimport { defineTopology } from "topo";\n\nexport default defineTopology(${print(topology, "", "export default defineTopology(".length)});\n`;
}

/** Strip the printer's wrappers (and disabled properties): the value the topology module exports. */
export function plainValue(v: TsValue): unknown {
  if (isCommented(v)) return plainValue(v.value);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.filter((x) => !isDisabled(x)).map(plainValue);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, TsValue>)) if (!isDisabled(x)) out[k] = plainValue(x);
  return out;
}
