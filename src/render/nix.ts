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
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`internal: non-integer ${value} in Nix output`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === "string") return nixString(value);
  if (isRaw(value)) return value[RAW];
  if (isCommented(value)) return printNix(value.value, indent);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[ ]";
    const simple = value.every((v) => v === null || typeof v !== "object" || isRaw(v));
    const items = value.map((v) => printNix(v, inner));
    if (simple && items.join(" ").length + indent.length < 90) return `[ ${items.join(" ")} ]`;
    const lines = value.map((v, i) => {
      const c = isCommented(v) ? `${inner}# ${commentLine(v[COMMENT])}\n` : "";
      return `${c}${inner}${items[i]}`;
    });
    return `[\n${lines.join("\n")}\n${indent}]`;
  }
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort(compareKeys);
  if (keys.length === 0) return "{ }";
  const lines: string[] = [];
  for (const k of keys) {
    let v = value[k] as NixValue;
    let comment = isCommented(v) ? v[COMMENT] : undefined;
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
    if (comment !== undefined) lines.push(`${inner}# ${commentLine(comment)}`);
    lines.push(`${inner}${dotted} = ${printNix(v, inner)};`);
  }
  return `{\n${lines.join("\n")}\n${indent}}`;
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
