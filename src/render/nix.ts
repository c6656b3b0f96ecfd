/**
 * The one Nix printer. Every value that reaches a generated .nix file goes through here; templates
 * never interpolate values themselves. All escaping of Nix strings lives in this file.
 *
 * Attribute sets print with sorted keys (order has no meaning in Nix); lists keep their order
 * (it may: DNS servers, rules). A chain of single-key sets prints as a dotted path
 * (`matchConfig.Name = "x";`), the way people write NixOS modules.
 */

/** A Nix value built by the lowering passes. */
export type NixValue = null | boolean | number | string | NixValue[] | NixAttrs | NixRaw | NixCommented;
export interface NixAttrs {
  readonly [key: string]: NixValue | undefined;
}

const RAW = Symbol("nix-raw");
const COMMENT = Symbol("nix-comment");

/** Trusted Nix source written by topo itself (never user data), e.g. `builtins.readFile ./x.nft`. */
export interface NixRaw {
  readonly [RAW]: string;
}
/** A value with a comment line printed above it (back-references to the topology). */
export interface NixCommented {
  readonly [COMMENT]: string;
  readonly value: NixValue;
}

export function raw(code: string): NixRaw {
  return { [RAW]: code };
}

/** A relative path literal; only plain file names, so no user text can become Nix syntax. */
export function path(p: string): NixRaw {
  if (!/^\.{1,2}\/[A-Za-z0-9_./-]+$/.test(p) || p.includes("//")) throw new Error(`internal: unsafe Nix path ${p}`);
  return raw(p);
}

/** `builtins.readFile ./file`: a builtin, so the module stays evaluable without nixpkgs. */
export function readFile(p: string): NixRaw {
  path(p);
  return raw(`builtins.readFile ${p}`);
}

export function commented(comment: string, value: NixValue): NixCommented {
  return { [COMMENT]: comment, value };
}

function isRaw(v: unknown): v is NixRaw {
  return typeof v === "object" && v !== null && RAW in v;
}
function isCommented(v: unknown): v is NixCommented {
  return typeof v === "object" && v !== null && COMMENT in v;
}

const KEYWORDS = new Set(["if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"]);

const NEEDS_ESCAPE = /[\\"\n\r\t$]/;

/** Escape a string for a double-quoted Nix string. */
export function nixString(s: string): string {
  // Most strings need no escape: one scan instead of a character-by-character rebuild.
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "$" && s[i + 1] === "{") out += "\\$";
    else out += ch;
  }
  return out + '"';
}

export function nixKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(k) && !KEYWORDS.has(k) ? k : nixString(k);
}

/** Comments are one line of safe text; anything else is dropped to a placeholder. */
function commentLine(c: string): string {
  return c.replace(/[^\x20-\x7e]/g, "?");
}

export function printNix(value: NixValue, indent = ""): string {
  const out: string[] = [];
  emit(value, indent, out);
  return out.length === 1 ? out[0]! : out.join("");
}

/** A value with no nested structure, printed on its own (undefined for sets, lists and comments). */
function scalar(value: NixValue): string | undefined {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`internal: non-integer ${value} in Nix output`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === "string") return nixString(value);
  if (isRaw(value)) return value[RAW];
  return undefined;
}

/**
 * Appends the printed value to `out`: one list of pieces joined once at the end, instead of each
 * level joining its children's text again (that copied a deep file's bytes once per level).
 */
function emit(value: NixValue, indent: string, out: string[]): void {
  const s = scalar(value);
  if (s !== undefined) {
    out.push(s);
    return;
  }
  if (isCommented(value)) return emit(value.value, indent, out);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push("[ ]");
      return;
    }
    if (value.every((v) => v === null || typeof v !== "object" || isRaw(v))) {
      const items = value.map((v) => scalar(v)!);
      const line = items.join(" ");
      out.push(line.length + indent.length < 90 ? `[ ${line} ]` : `[\n${inner}${items.join(`\n${inner}`)}\n${indent}]`);
      return;
    }
    out.push("[\n");
    value.forEach((v, i) => {
      if (i > 0) out.push("\n");
      if (isCommented(v)) out.push(`${inner}# ${commentLine(v[COMMENT])}\n`);
      out.push(inner);
      emit(v, inner, out);
    });
    out.push(`\n${indent}]`);
    return;
  }
  const attrs = value as NixAttrs; // every other kind returned above
  const keys = Object.keys(attrs)
    .filter((k) => attrs[k] !== undefined)
    .sort(compareKeys);
  if (keys.length === 0) {
    out.push("{ }");
    return;
  }
  out.push("{\n");
  for (const k of keys) {
    let v = attrs[k] as NixValue;
    const comment = isCommented(v) ? v[COMMENT] : undefined;
    if (isCommented(v)) v = v.value;
    // Collapse a chain of single-key sets into a dotted path.
    let dotted = nixKey(k);
    while (v !== null && typeof v === "object" && !Array.isArray(v) && !isRaw(v) && !isCommented(v)) {
      const sub = Object.keys(v).filter((s) => (v as NixAttrs)[s] !== undefined);
      if (sub.length !== 1) break;
      const next = (v as NixAttrs)[sub[0]!] as NixValue;
      if (isCommented(next)) break;
      dotted += "." + nixKey(sub[0]!);
      v = next;
    }
    if (comment !== undefined) out.push(`${inner}# ${commentLine(comment)}\n`);
    out.push(`${inner}${dotted} = `);
    emit(v, inner, out);
    out.push(";\n");
  }
  out.push(`${indent}}`);
}

/**
 * What a unit is comes first: systemd's `[Match]` and `[NetDev]` sections (as NixOS spells them)
 * head their attribute sets, the way a reader scans a unit. The rest in plain code-point order,
 * so output does not depend on the machine's locale.
 */
const FIRST = ["matchConfig", "netdevConfig"];

function compareKeys(a: string, b: string): number {
  const fa = FIRST.indexOf(a);
  const fb = FIRST.indexOf(b);
  if (fa !== fb) return fa === -1 ? 1 : fb === -1 ? -1 : fa - fb;
  return a < b ? -1 : a > b ? 1 : 0;
}
