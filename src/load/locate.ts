/**
 * Map a path into the topology value (`["hosts", "hv1", "vms", "vm3"]`) back to where it was
 * written in `topology.ts` (or `.json`). Walks the object literal that is the default export,
 * property by name and element by index, through `as`/`satisfies`/parentheses, calls of
 * `defineTopology`, and `const` identifiers of the same file; it stops at the first node it cannot
 * see through (a spread, a function call, an import) and points there. It never throws.
 */
import { relative } from "node:path";
import { ts } from "ts-morph";
import type { Locator, Path, Span } from "../diag/diagnostic.js";

export type { Locator } from "../diag/diagnostic.js";

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

class SourceLocator implements Locator {
  private readonly sf: ts.SourceFile;
  private readonly root: ts.Node | undefined;
  private readonly consts = new Map<string, ts.Expression>();
  private readonly lines: string[];
  private readonly name: string;
  private readonly cache = new Map<string, { node: ts.Node; complete: boolean } | undefined>();

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
    if (ts.isArrayLiteralExpression(container)) {
      if (typeof seg !== "number") return undefined;
      // A spread before the index shifts positions: stop rather than point at the wrong element.
      for (let i = 0; i <= seg && i < container.elements.length; i++) {
        if (ts.isSpreadElement(container.elements[i]!)) return undefined;
      }
      return container.elements[seg];
    }
    const name = String(seg);
    // Later properties override earlier ones, as at run time.
    for (let i = container.properties.length - 1; i >= 0; i--) {
      const p = container.properties[i]!;
      if (ts.isSpreadAssignment(p)) return undefined;
      const pname = p.name && propertyName(p.name);
      if (pname !== name) continue;
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return this.consts.get(name) ?? p;
      return p;
    }
    return undefined;
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
