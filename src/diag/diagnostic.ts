/**
 * A diagnostic is data: where (a path into the topology, resolved to a span when the source is
 * known), what (a stable code and a message) and what to do (a hint). Passes return them; only the
 * reporters turn them into text.
 */
import type { Code } from "./codes.js";

/** A path into the topology value: property names and array indexes. */
export type Path = readonly (string | number)[];

export interface Span {
  readonly file: string;
  readonly line: number; // 1-based
  readonly column: number; // 1-based
  readonly length: number;
  /** The source line, for the excerpt. */
  readonly text: string;
}

/** Where paths into the topology value were written: the loader makes one, diagnostics use it. */
export interface Locator {
  /** The span of the deepest node on the path that the source shows. */
  locate(path: Path): Span | undefined;
  /** Like locate, but only when the source shows the whole path (for origins). */
  exact(path: Path): Span | undefined;
}

export interface Related {
  readonly message: string;
  readonly path: Path;
  span?: Span;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly path: Path;
  readonly hint?: string;
  readonly related?: readonly Related[];
  /** Filled in by the locator once the source has been parsed. */
  span?: Span;
}

export function error(code: Code, path: Path, message: string, extra: { hint?: string; related?: Related[] } = {}): Diagnostic {
  return { code, severity: "error", path, message, ...extra };
}

export function warning(code: Code, path: Path, message: string, extra: { hint?: string; related?: Related[] } = {}): Diagnostic {
  return { code, severity: "warning", path, message, ...extra };
}

/** `hosts.hv1.bridges["br-vm1"]`-style rendering of a path, readable and unambiguous. */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === "" ? "(root)" : out;
}

/** Thrown for a failure the caller must turn into a diagnostic exit, never a crash. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("; "));
  }
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** Stable order: by source position where known, then by path and code. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const la = a.span?.line ?? Number.MAX_SAFE_INTEGER;
    const lb = b.span?.line ?? Number.MAX_SAFE_INTEGER;
    if (la !== lb) return la - lb;
    const ca = a.span?.column ?? 0;
    const cb = b.span?.column ?? 0;
    if (ca !== cb) return ca - cb;
    const pa = formatPath(a.path);
    const pb = formatPath(b.path);
    if (pa !== pb) return pa < pb ? -1 : 1;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
