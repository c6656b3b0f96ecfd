/**
 * A light reader of the object literals of a topology file, for the locator: tokens, brackets,
 * the file's top-level `const`s and its `export default`, and literal members by name or index.
 * It reads what a topology file is made of and nothing more; wherever it is not sure to read a
 * construct the way TypeScript's parser does, it throws Unsure and the locator asks TypeScript
 * (loading TypeScript takes longer than compiling a fleet, so a topology that reads plainly never
 * loads it).
 */

export class Unsure extends Error {}

interface Token {
  readonly kind: "id" | "str" | "num" | "tmpl" | "re" | "p";
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** A line break between the previous token and this one. */
  readonly nl: boolean;
}

/** A node: the tokens [from, to) of an expression, a property, or a literal's member. */
export interface Range {
  readonly from: number;
  readonly to: number;
}

const PUNCTUATORS = [
  ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
  "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "<<", ">>",
];
const REGEX_AFTER_WORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);
const ID_START = /[\p{ID_Start}$_]/u;
const ID_PART = /[\p{ID_Continue}$\u200c\u200d]/u;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let nl = false;
  if (src.startsWith("#!")) while (i < src.length && src[i] !== "\n") i++;
  const push = (kind: Token["kind"], start: number) => {
    out.push({ kind, text: src.slice(start, i), start, end: i, nl });
    nl = false;
  };
  while (i < src.length) {
    const c = src[i]!;
    const code = src.charCodeAt(i);
    if (SINGLE.has(c)) {
      // Brackets and separators: the bulk of a literal, and never the start of a longer punctuator.
      i++;
      push("p", i - 1);
    } else if (code === 32 || code === 9) {
      i++;
    } else if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") {
      nl = true;
      i++;
    } else if (/\s/.test(c) || c === "\ufeff") {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && !"\n\r\u2028\u2029".includes(src[i]!)) i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new Unsure("unterminated comment");
      if (/[\n\r\u2028\u2029]/.test(src.slice(i, end))) nl = true;
      i = end + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === "\\") i++;
        else if (src[i] === "\n") throw new Unsure("line break in a string");
        i++;
      }
      if (i >= src.length) throw new Unsure("unterminated string");
      i++;
      push("str", start);
    } else if (c === "`") {
      const start = i;
      i = skipTemplate(src, i);
      push("tmpl", start);
    } else if (isIdStart(code) || c === "#" || (code > 127 && ID_START.test(c))) {
      const start = i++;
      while (i < src.length && (isIdPart(src.charCodeAt(i)) || (src.charCodeAt(i) > 127 && ID_PART.test(src[i]!)))) i++;
      if (src[i] === "\\") throw new Unsure("escape in an identifier");
      push("id", start);
    } else if (/\d/.test(c) || (c === "." && /\d/.test(src[i + 1] ?? ""))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) throw new Unsure("number");
      const start = i;
      i += m[0].length;
      push("num", start);
    } else if (c === "/" && regexAllowed(out[out.length - 1])) {
      const start = i++;
      let inClass = false;
      while (i < src.length && (inClass || src[i] !== "/")) {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") inClass = true;
        else if (src[i] === "]") inClass = false;
        else if (src[i] === "\n") throw new Unsure("line break in a regular expression");
        i++;
      }
      i++;
      while (i < src.length && ID_PART.test(src[i]!)) i++;
      push("re", start);
    } else if (c === "\\") {
      throw new Unsure("escape in an identifier");
    } else {
      const start = i;
      const p = PUNCTUATORS.find((x) => src.startsWith(x, i));
      i += p ? p.length : 1;
      push("p", start);
    }
  }
  return out;
}

const SINGLE = new Set(["{", "}", "(", ")", "[", "]", ",", ";", ":"]);
const isIdStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
const isIdPart = (c: number) => isIdStart(c) || (c >= 48 && c <= 57);

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === "id") return REGEX_AFTER_WORD.has(prev.text);
  if (prev.kind !== "p") return false;
  if (prev.text === ")" || prev.text === "]") return false;
  if (prev.text === "}") throw new Unsure("a slash after a closing brace");
  return true;
}

/** The end of a template literal starting at `i` (substitutions skipped as code). */
function skipTemplate(src: string, i: number): number {
  i++;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\\") i += 2;
    else if (c === "`") return i + 1;
    else if (c === "$" && src[i + 1] === "{") i = skipCode(src, i + 2);
    else i++;
  }
  throw new Unsure("unterminated template");
}

/** Past the `}` that closes code starting at `i`. */
function skipCode(src: string, i: number): number {
  let depth = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "`") i = skipTemplate(src, i);
    else if (c === "/" && (src[i + 1] === "/" || src[i + 1] === "*")) throw new Unsure("comment in a template substitution");
    else if (c === "{") {
      depth++;
      i++;
    } else if (c === "}") {
      if (depth === 0) return i + 1;
      depth--;
      i++;
    } else i++;
  }
  throw new Unsure("unterminated template substitution");
}

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** The source's tokens, with each bracket's partner. */
export class Scanned {
  readonly tokens: Token[];
  private readonly partner: number[];

  constructor(src: string) {
    this.tokens = tokenize(src);
    this.partner = new Array<number>(this.tokens.length).fill(-1);
    const stack: number[] = [];
    this.tokens.forEach((t, i) => {
      if (t.kind !== "p") return;
      if (OPEN[t.text]) stack.push(i);
      else if (t.text === ")" || t.text === "]" || t.text === "}") {
        const open = stack.pop();
        if (open === undefined || OPEN[this.tokens[open]!.text] !== t.text) throw new Unsure("unbalanced brackets");
        this.partner[open] = i;
        this.partner[i] = open;
      }
    });
    if (stack.length) throw new Unsure("unbalanced brackets");
  }

  is(i: number, text: string, kind: Token["kind"] = "p"): boolean {
    const t = this.tokens[i];
    return t !== undefined && t.kind === kind && t.text === text;
  }

  /** Past the bracket group opening at i, or i + 1. */
  skip(i: number): number {
    const p = this.partner[i]!;
    return p > i ? p + 1 : i + 1;
  }

  closes(open: number, at: number): boolean {
    return this.partner[open] === at;
  }

  /** Split [from, to) at top-level commas; after `as`/`satisfies`, angle brackets nest too (type arguments). */
  split(from: number, to: number): Range[] {
    const parts: Range[] = [];
    let start = from;
    let angle = 0;
    let inType = false;
    for (let i = from; i < to; ) {
      const t = this.tokens[i]!;
      if (t.kind === "id" && (t.text === "as" || t.text === "satisfies")) inType = true;
      if (t.kind === "p" && inType) {
        if (t.text === "<") angle++;
        else if (t.text === ">" || t.text === ">>" || t.text === ">>>") angle = Math.max(0, angle - t.text.length);
      }
      if (t.kind === "p" && t.text === "," && angle === 0) {
        parts.push({ from: start, to: i });
        start = i + 1;
        inType = false;
        i++;
        continue;
      }
      if (t.kind === "p" && t.text === "<" && !inType) throw new Unsure("angle bracket in a literal");
      i = t.kind === "p" && OPEN[t.text] ? this.skip(i) : i + 1;
    }
    parts.push({ from: start, to });
    return parts;
  }

  /** The end of an expression statement's expression starting at i (top level): `;`, end of file, or a line break before what cannot continue it. */
  statementEnd(i: number): number {
    const start = i;
    while (i < this.tokens.length) {
      const t = this.tokens[i]!;
      if (t.kind === "p" && t.text === ";") return i;
      if (i > start && t.nl && (t.kind !== "p" || t.text === "{" || t.text === "++" || t.text === "--")) return i;
      if (t.kind === "p" && (t.text === "<" || t.text === ">")) throw new Unsure("angle bracket at the top level");
      i = t.kind === "p" && OPEN[t.text] ? this.skip(i) : i + 1;
    }
    return i;
  }
}

/** The file's top-level `const` initializers by name and its `export default` expression, as TypeScript sees them. */
export function topLevel(s: Scanned): { consts: Map<string, Range>; root: Range | undefined } {
  const consts = new Map<string, Range>();
  let root: Range | undefined;
  const tokens = s.tokens;
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!;
    if (s.is(i, "const", "id") && !s.is(i + 1, "enum", "id")) {
      i = declarations(s, i + 1, consts);
      continue;
    }
    if (s.is(i, "export", "id") && s.is(i + 1, "default", "id")) {
      const head = tokens[i + 2];
      if (head && head.kind === "id" && ["function", "class", "async", "abstract", "interface", "enum"].includes(head.text)) throw new Unsure("export default declaration");
      const end = s.statementEnd(i + 2);
      if (end > i + 2) root = { from: i + 2, to: end };
      i = end;
      continue;
    }
    i = t.kind === "p" && OPEN[t.text] ? s.skip(i) : i + 1;
  }
  return { consts, root };
}

/** `const a = ..., b: T = ...`: record each initializer; returns where the statement ends. */
function declarations(s: Scanned, i: number, consts: Map<string, Range>): number {
  const tokens = s.tokens;
  for (;;) {
    const name = tokens[i];
    if (!name || name.kind !== "id") throw new Unsure("destructuring const");
    i++;
    if (s.is(i, "!")) i++;
    if (s.is(i, ":")) {
      // A type annotation: up to `=`, `,` or the end, angle brackets nesting.
      let angle = 0;
      i++;
      while (i < tokens.length) {
        const t = tokens[i]!;
        if (t.kind === "p" && angle === 0 && (t.text === "=" || t.text === "," || t.text === ";")) break;
        if (t.nl && angle === 0 && t.kind === "id" && ["const", "let", "var", "export", "import", "function", "type", "interface"].includes(t.text)) break;
        if (t.kind === "p" && t.text === "<") angle++;
        if (t.kind === "p" && (t.text === ">" || t.text === ">>" || t.text === ">>>")) angle -= t.text.length;
        i = t.kind === "p" && OPEN[t.text] ? s.skip(i) : i + 1;
      }
    }
    if (s.is(i, "=")) {
      const from = i + 1;
      let j = from;
      // The initializer: up to a top-level comma or the statement's end.
      while (j < tokens.length) {
        const t = tokens[j]!;
        if (t.kind === "p" && (t.text === "," || t.text === ";")) break;
        if (j > from && t.nl && (t.kind !== "p" || t.text === "{" || t.text === "++" || t.text === "--")) break;
        if (t.kind === "p" && (t.text === "<" || t.text === ">")) throw new Unsure("angle bracket in a const");
        j = t.kind === "p" && OPEN[t.text] ? s.skip(j) : j + 1;
      }
      if (j > from) consts.set(name.text, { from, to: j });
      i = j;
    }
    if (s.is(i, ",")) {
      i++;
      continue;
    }
    return i;
  }
}

/** The name of an object literal member as TypeScript's `propertyName` gives it, or undefined. */
export function memberName(s: Scanned, t: Token): string | undefined {
  if (t.kind === "id") return t.text;
  if (t.kind === "str") return unescape(t.text.slice(1, -1));
  if (t.kind === "num") {
    if (!/^(0|[1-9]\d*)$/.test(t.text)) throw new Unsure("numeric property name");
    return t.text;
  }
  if (t.kind === "tmpl") {
    if (t.text.includes("\\") || t.text.includes("${")) throw new Unsure("template property name");
    return t.text.slice(1, -1);
  }
  return undefined;
}

function unescape(body: string): string {
  if (!body.includes("\\")) return body;
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g, (_, e: string) => {
    if (e[0] === "u") return String.fromCodePoint(parseInt(e[1] === "{" ? e.slice(2, -1) : e.slice(1), 16));
    if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", "0": "\0", "\n": "", "\r\n": "", "\r": "", "\u2028": "", "\u2029": "" };
    if (/[1-9]/.test(e)) throw new Unsure("octal escape");
    return simple[e] ?? e;
  });
}
