/**
 * Map a path into the topology value (`["hosts", "hv1", "vms", "vm3"]`) back to where it was
 * written in `topology.ts` (or `.json`). Walks the object literal that is the default export,
 * property by name and element by index, through `as`/`satisfies`/parentheses, calls of
 * `defineTopology`, and `const` identifiers of the same file; it stops at the first node it cannot
 * see through (a spread, a function call, an import) and points there. It never throws.
 */
import { createRequire } from "node:module";
import { relative } from "node:path";
import type { ts } from "ts-morph";
import type { Locator, Path, Span } from "../diag/diagnostic.js";
import { memberName, Scanned, topLevel, Unsure, type Range } from "./literal-scan.js";

export type { Locator } from "../diag/diagnostic.js";

export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === "" || rel.startsWith("..") ? file : rel;
}

export const noLocator: Locator = { locate: () => undefined, exact: () => undefined };

/**
 * The literal reader (literal-scan.ts) answers; where it is unsure of a construct, TypeScript
 * does (ts-morph is loaded then, and only then: loading it costs more than compiling a fleet).
 */
export function createLocator(file: string, source: string): Locator {
  let typescript: Locator | undefined;
  const slow = (): Locator => {
    if (!typescript) {
      try {
        typescript = new SourceLocator(file, source);
      } catch {
        typescript = noLocator;
      }
    }
    return typescript;
  };
  let fast: LiteralLocator;
  try {
    fast = new LiteralLocator(file, source);
  } catch {
    return lazy(slow);
  }
  const ask = (how: "locate" | "exact") => (path: Path) => {
    try {
      return fast[how](path);
    } catch {
      return slow()[how](path);
    }
  };
  return { locate: ask("locate"), exact: ask("exact") };
}

/** Each reader alone, for the tests that hold them to each other. */
export const literalLocator = (file: string, source: string): Locator => new LiteralLocator(file, source);
export const typescriptLocator = (file: string, source: string): Locator => new SourceLocator(file, source);

const lazy = (get: () => Locator): Locator => ({ locate: (p) => get().locate(p), exact: (p) => get().exact(p) });

/** TypeScript, through ts-morph, loaded on first use. */
let T: typeof ts;
function typescript(): typeof ts {
  T ??= (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  return T;
}

type Literal = { kind: "object" | "array"; range: Range };

/** The locator over literal-scan's reading of the source; throws Unsure where it cannot tell. */
class LiteralLocator implements Locator {
  private readonly scan: Scanned;
  private readonly consts: Map<string, Range>;
  private readonly root: Range | undefined;
  private readonly lines: string[];
  private readonly lineStarts: number[];
  private readonly name: string;
  private readonly cache = new Map<string, { node: Range; complete: boolean } | undefined>();
  private readonly members = new Map<number, { lastByName: Map<string, { kind: "value" | "shorthand" | "method"; range: Range; name: string }>; lastSpread: number; order: Map<string, number> }>();
  private readonly elements = new Map<number, { list: Range[]; firstSpread: number }>();

  constructor(file: string, source: string) {
    this.name = displayName(file);
    this.lines = source.split("\n");
    this.lineStarts = lineStarts(source);
    this.scan = new Scanned(source);
    if (file.endsWith(".json")) {
      this.consts = new Map();
      this.root = this.scan.tokens.length ? { from: 0, to: this.scan.tokens.length } : undefined;
    } else {
      ({ consts: this.consts, root: this.root } = topLevel(this.scan));
    }
  }

  locate(path: Path): Span | undefined {
    const hit = this.walk(path);
    return hit ? this.span(hit.node) : undefined;
  }

  exact(path: Path): Span | undefined {
    const hit = this.walk(path);
    return hit?.complete ? this.span(hit.node) : undefined;
  }

  private walk(path: Path): { node: Range; complete: boolean } | undefined {
    const key = JSON.stringify(path);
    if (this.cache.has(key)) return this.cache.get(key);
    let result: { node: Range; complete: boolean } | undefined;
    if (this.root) {
      let node = this.root;
      let complete = true;
      for (const seg of path) {
        const container = this.see(node);
        const next = container ? this.child(container, seg) : undefined;
        if (!next) {
          complete = false;
          break;
        }
        node = next;
      }
      result = { node, complete };
    }
    this.cache.set(key, result);
    return result;
  }

  /** See through parentheses, `as`/`satisfies`, `defineTopology(...)` and consts to a literal. */
  private see(r: Range, depth = 0): Literal | undefined {
    if (depth > 20) return undefined;
    const s = this.scan;
    const { from, to } = r;
    if (from >= to) throw new Unsure("empty expression");
    if (s.is(from, "<")) throw new Unsure("type assertion");
    if (s.is(from, "(") && s.closes(from, to - 1)) return this.see({ from: from + 1, to: to - 1 }, depth + 1);
    for (let i = from; i < to; ) {
      const t = s.tokens[i]!;
      if (i > from && t.kind === "id" && (t.text === "as" || t.text === "satisfies") && !s.is(i - 1, ".") && !s.is(i - 1, "?.")) {
        if (t.nl) throw new Unsure("line break before as");
        return this.see({ from, to: i }, depth + 1);
      }
      i = t.kind === "p" && (t.text === "(" || t.text === "[" || t.text === "{") ? s.skip(i) : i + 1;
    }
    if (s.is(from, "{") && s.closes(from, to - 1)) return { kind: "object", range: r };
    if (s.is(from, "[") && s.closes(from, to - 1)) return { kind: "array", range: r };
    if (s.is(from, "defineTopology", "id")) {
      if (!s.is(from + 1, "(") || !s.closes(from + 1, to - 1)) throw new Unsure("defineTopology");
      const args = s.split(from + 2, to - 1);
      const first = args[0]!;
      if (first.from === first.to) return undefined;
      return this.see(first, depth + 1);
    }
    if (to - from === 1 && s.tokens[from]!.kind === "id") {
      const init = this.consts.get(s.tokens[from]!.text);
      return init ? this.see(init, depth + 1) : undefined;
    }
    return undefined;
  }

  private child(container: Literal, seg: string | number): Range | undefined {
    if (container.kind === "array") {
      if (typeof seg !== "number") return undefined;
      const { list, firstSpread } = this.arrayElements(container.range);
      if (seg >= firstSpread) return undefined;
      return list[seg];
    }
    const { lastByName, lastSpread, order } = this.objectMembers(container.range);
    const name = String(seg);
    const m = lastByName.get(name);
    if (!m || order.get(name)! < lastSpread) return undefined;
    if (m.kind === "shorthand") return this.consts.get(name) ?? m.range;
    return m.range;
  }

  private parts(r: Range): Range[] {
    const parts = this.scan.split(r.from + 1, r.to - 1);
    if (parts.length && parts[parts.length - 1]!.from === parts[parts.length - 1]!.to) parts.pop();
    if (parts.some((p) => p.from === p.to)) throw new Unsure("hole or stray comma");
    return parts;
  }

  private arrayElements(r: Range) {
    let e = this.elements.get(r.from);
    if (!e) {
      const list = this.parts(r);
      const i = list.findIndex((p) => this.scan.is(p.from, "..."));
      e = { list, firstSpread: i < 0 ? Infinity : i };
      this.elements.set(r.from, e);
    }
    return e;
  }

  private objectMembers(r: Range) {
    let m = this.members.get(r.from);
    if (m) return m;
    const s = this.scan;
    m = { lastByName: new Map(), lastSpread: -1, order: new Map() };
    this.parts(r).forEach((p, index) => {
      if (s.is(p.from, "...")) {
        m!.lastSpread = index;
        return;
      }
      let i = p.from;
      let method = false;
      const tok = s.tokens[i]!;
      if (tok.kind === "id" && (tok.text === "get" || tok.text === "set" || tok.text === "async") && i + 1 < p.to && !["(", ":", "<", "?", "="].some((x) => s.is(i + 1, x))) {
        method = true;
        i++;
      }
      if (s.is(i, "*")) {
        method = true;
        i++;
      }
      let name: string | undefined;
      let after: number;
      if (s.is(i, "[")) {
        after = s.skip(i);
        const inner = s.tokens[i + 1]!;
        name = after === i + 3 && (inner.kind === "str" || inner.kind === "tmpl") ? memberName(s, inner) : undefined;
      } else {
        name = memberName(s, s.tokens[i]!);
        if (name === undefined) throw new Unsure("member name");
        after = i + 1;
      }
      let member: { kind: "value" | "shorthand" | "method"; range: Range; name: string };
      if (method || s.is(after, "(") || s.is(after, "<")) member = { kind: "method", range: p, name: name ?? "" };
      else if (after === p.to) {
        if (s.tokens[i]!.kind !== "id") throw new Unsure("shorthand");
        member = { kind: "shorthand", range: p, name: name! };
      } else if (s.is(after, ":") && after + 1 < p.to) member = { kind: "value", range: { from: after + 1, to: p.to }, name: name ?? "" };
      else throw new Unsure("member");
      if (name !== undefined) {
        m!.lastByName.set(name, member);
        m!.order.set(name, index);
      }
    });
    this.members.set(r.from, m);
    return m;
  }

  private span(r: Range): Span {
    const start = this.scan.tokens[r.from]!.start;
    const end = this.scan.tokens[r.to - 1]!.end;
    const [line, character] = position(this.lineStarts, start);
    const [endLine, endCharacter] = position(this.lineStarts, end);
    const text = (this.lines[line] ?? "").replace(/\r$/, "");
    const length = endLine === line ? Math.max(1, endCharacter - character) : Math.max(1, text.length - character);
    return { file: this.name, line: line + 1, column: character + 1, length, text };
  }
}

/** Line starts as TypeScript counts lines (CR LF, LF, CR, LS, PS). */
function lineStarts(src: string): number[] {
  const out = [0];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\r") {
      if (src[i + 1] === "\n") i++;
      out.push(i + 1);
    } else if (c === "\n" || c === "\u2028" || c === "\u2029") out.push(i + 1);
  }
  return out;
}

function position(starts: number[], pos: number): [number, number] {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return [lo, pos - starts[lo]!];
}

interface LiteralIndex {
  /** Object literal: the last property of each name, and the last spread (-1 if none). */
  readonly lastByName: Map<string, number>;
  lastSpread: number;
  /** Array literal: the first spread element (Infinity if none). */
  firstSpread: number;
}

/** The locator over TypeScript's syntax tree. */
class SourceLocator implements Locator {
  private readonly sf: ts.SourceFile;
  private readonly root: ts.Node | undefined;
  private readonly consts = new Map<string, ts.Expression>();
  private readonly lines: string[];
  private readonly name: string;
  private readonly cache = new Map<string, { node: ts.Node; complete: boolean } | undefined>();
  private readonly indexes = new Map<ts.Node, LiteralIndex>();

  constructor(file: string, source: string) {
    const ts = typescript();
    this.name = displayName(file);
    this.lines = source.split("\n");
    if (file.endsWith(".json")) {
      this.sf = ts.parseJsonText(file, source);
      const stmt = this.sf.statements[0];
      this.root = stmt && T.isExpressionStatement(stmt) ? stmt.expression : undefined;
      return;
    }
    this.sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    for (const stmt of this.sf.statements) {
      if (T.isVariableStatement(stmt) && stmt.declarationList.flags & ts.NodeFlags.Const) {
        for (const decl of stmt.declarationList.declarations) {
          if (T.isIdentifier(decl.name) && decl.initializer) this.consts.set(decl.name.text, decl.initializer);
        }
      }
    }
    for (const stmt of this.sf.statements) {
      if (T.isExportAssignment(stmt) && !stmt.isExportEquals) this.root = stmt.expression;
    }
  }

  locate(path: Path): Span | undefined {
    const hit = this.walk(path);
    return hit ? this.span(hit.node) : undefined;
  }

  exact(path: Path): Span | undefined {
    const hit = this.walk(path);
    return hit?.complete ? this.span(hit.node) : undefined;
  }

  private walk(path: Path): { node: ts.Node; complete: boolean } | undefined {
    const key = JSON.stringify(path);
    if (this.cache.has(key)) return this.cache.get(key);
    let result: { node: ts.Node; complete: boolean } | undefined;
    if (this.root) {
      let node: ts.Node = this.root;
      let complete = true;
      for (const seg of path) {
        const container = this.see(node);
        const next = container ? this.child(container, seg) : undefined;
        if (!next) {
          complete = false;
          break;
        }
        node = next;
      }
      result = { node, complete };
    }
    this.cache.set(key, result);
    return result;
  }

  /** See through wrappers to an object or array literal, or return undefined. */
  private see(node: ts.Node, depth = 0): ts.ObjectLiteralExpression | ts.ArrayLiteralExpression | undefined {
    if (depth > 20) return undefined;
    if (T.isObjectLiteralExpression(node) || T.isArrayLiteralExpression(node)) return node;
    if (T.isParenthesizedExpression(node) || T.isAsExpression(node) || T.isSatisfiesExpression(node) || T.isTypeAssertionExpression(node)) {
      return this.see(node.expression, depth + 1);
    }
    if (T.isCallExpression(node) && T.isIdentifier(node.expression) && node.expression.text === "defineTopology" && node.arguments[0]) {
      return this.see(node.arguments[0], depth + 1);
    }
    if (T.isIdentifier(node)) {
      const init = this.consts.get(node.text);
      return init ? this.see(init, depth + 1) : undefined;
    }
    return undefined;
  }

  private child(container: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, seg: string | number): ts.Node | undefined {
    const index = this.indexOf(container);
    if (T.isArrayLiteralExpression(container)) {
      if (typeof seg !== "number") return undefined;
      // A spread before the index shifts positions: stop rather than point at the wrong element.
      if (seg >= index.firstSpread) return undefined;
      return container.elements[seg];
    }
    const name = String(seg);
    // Later properties override earlier ones, as at run time; a spread after the last one may too.
    const i = index.lastByName.get(name);
    if (i === undefined || i < index.lastSpread) return undefined;
    const p = container.properties[i]!;
    if (T.isPropertyAssignment(p)) return p.initializer;
    if (T.isShorthandPropertyAssignment(p)) return this.consts.get(name) ?? p;
    return p;
  }

  /** Each literal's members indexed once (a lookup by scanning is quadratic over a fleet's hosts). */
  private indexOf(container: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression): LiteralIndex {
    let index = this.indexes.get(container);
    if (index) return index;
    index = { lastByName: new Map(), lastSpread: -1, firstSpread: Infinity };
    if (T.isArrayLiteralExpression(container)) {
      const i = container.elements.findIndex((e) => T.isSpreadElement(e));
      if (i >= 0) index.firstSpread = i;
    } else {
      container.properties.forEach((p, i) => {
        if (T.isSpreadAssignment(p)) index!.lastSpread = i;
        const pname = p.name && propertyName(p.name);
        if (pname !== undefined) index!.lastByName.set(pname, i);
      });
    }
    this.indexes.set(container, index);
    return index;
  }

  private span(node: ts.Node): Span {
    const start = node.getStart(this.sf);
    const { line, character } = this.sf.getLineAndCharacterOfPosition(start);
    const end = this.sf.getLineAndCharacterOfPosition(node.getEnd());
    const text = (this.lines[line] ?? "").replace(/\r$/, "");
    const length = end.line === line ? Math.max(1, end.character - character) : Math.max(1, text.length - character);
    return { file: this.name, line: line + 1, column: character + 1, length, text };
  }
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (T.isIdentifier(name) || T.isStringLiteral(name) || T.isNumericLiteral(name) || T.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (T.isComputedPropertyName(name) && (T.isStringLiteral(name.expression) || T.isNoSubstitutionTemplateLiteral(name.expression))) {
    return name.expression.text;
  }
  return undefined;
}
