/**
 * Map a path into the topology value (`["hosts", "hv1", "vms", "vm3"]`) back to where it was
 * written in `topology.ts` (or `.json`). Walks the object literal that is the default export,
 * property by name and element by index, through `as`/`satisfies`/parentheses, calls of
 * `defineTopology`, and `const` identifiers of the same file; it stops at the first node it cannot
 * see through (a spread, a function call, an import) and points there. It never throws.
 */
import { relative } from "node:path";
import { ts } from "ts-morph";
import type { Path, Span } from "../diag/diagnostic.js";

export interface Locator {
  /** The span of the deepest node on the path that the source shows. */
  locate(path: Path): Span | undefined;
  /** Like locate, but only when the source shows the whole path (for back-references). */
  exact(path: Path): Span | undefined;
}

export function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === "" || rel.startsWith("..") ? file : rel;
}

export const noLocator: Locator = { locate: () => undefined, exact: () => undefined };

export function createLocator(file: string, source: string): Locator {
  try {
    return new SourceLocator(file, source);
  } catch {
    return noLocator;
  }
}

interface LiteralIndex {
  /** Object literal: the last property of each name, and the last spread (-1 if none). */
  readonly lastByName: Map<string, number>;
  lastSpread: number;
  /** Array literal: the first spread element (Infinity if none). */
  firstSpread: number;
}

class SourceLocator implements Locator {
  private readonly sf: ts.SourceFile;
  private readonly root: ts.Node | undefined;
  private readonly consts = new Map<string, ts.Expression>();
  private readonly lines: string[];
  private readonly name: string;
  private readonly cache = new Map<string, { node: ts.Node; complete: boolean } | undefined>();
  private readonly indexes = new Map<ts.Node, LiteralIndex>();

  constructor(file: string, source: string) {
    this.name = displayName(file);
    this.lines = source.split("\n");
    if (file.endsWith(".json")) {
      this.sf = ts.parseJsonText(file, source);
      const stmt = this.sf.statements[0];
      this.root = stmt && ts.isExpressionStatement(stmt) ? stmt.expression : undefined;
      return;
    }
    this.sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    for (const stmt of this.sf.statements) {
      if (ts.isVariableStatement(stmt) && stmt.declarationList.flags & ts.NodeFlags.Const) {
        for (const decl of stmt.declarationList.declarations) {
          if (ts.isIdentifier(decl.name) && decl.initializer) this.consts.set(decl.name.text, decl.initializer);
        }
      }
    }
    for (const stmt of this.sf.statements) {
      if (ts.isExportAssignment(stmt) && !stmt.isExportEquals) this.root = stmt.expression;
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
    if (ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node)) return node;
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) {
      return this.see(node.expression, depth + 1);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "defineTopology" && node.arguments[0]) {
      return this.see(node.arguments[0], depth + 1);
    }
    if (ts.isIdentifier(node)) {
      const init = this.consts.get(node.text);
      return init ? this.see(init, depth + 1) : undefined;
    }
    return undefined;
  }

  private child(container: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, seg: string | number): ts.Node | undefined {
    const index = this.indexOf(container);
    if (ts.isArrayLiteralExpression(container)) {
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
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return this.consts.get(name) ?? p;
    return p;
  }

  /** Each literal's members indexed once (a lookup by scanning is quadratic over a fleet's hosts). */
  private indexOf(container: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression): LiteralIndex {
    let index = this.indexes.get(container);
    if (index) return index;
    index = { lastByName: new Map(), lastSpread: -1, firstSpread: Infinity };
    if (ts.isArrayLiteralExpression(container)) {
      const i = container.elements.findIndex((e) => ts.isSpreadElement(e));
      if (i >= 0) index.firstSpread = i;
    } else {
      container.properties.forEach((p, i) => {
        if (ts.isSpreadAssignment(p)) index!.lastSpread = i;
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
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && (ts.isStringLiteral(name.expression) || ts.isNoSubstitutionTemplateLiteral(name.expression))) {
    return name.expression.text;
  }
  return undefined;
}
