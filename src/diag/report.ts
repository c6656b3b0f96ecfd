/**
 * Reporters: people get one clickable line, the source excerpt and a hint; tools get JSON.
 */
import { CODES } from "./codes.js";
import { formatPath, type Diagnostic } from "./diagnostic.js";

export interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const ansi: Colors = { red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
const id = (s: string) => s;
export const plain: Colors = { red: id, yellow: id, cyan: id, dim: id, bold: id };

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream): Colors {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return !noColor && stream.isTTY ? ansi : plain;
}

export function formatDiagnostic(d: Diagnostic, c: Colors = plain, fallbackFile = "topology"): string {
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : fallbackFile;
  const sev = d.severity === "error" ? c.red(`error ${d.code}`) : c.yellow(`warning ${d.code}`);
  const lines = [`${c.bold(where)}  ${c.cyan(formatPath(d.path))}  ${sev}: ${d.message}`];
  if (d.span) {
    const num = String(d.span.line);
    const pad = " ".repeat(num.length);
    lines.push(c.dim(`  ${num} | `) + d.span.text);
    const caretLen = Math.max(1, Math.min(d.span.length, d.span.text.length - d.span.column + 1));
    lines.push(c.dim(`  ${pad} | `) + " ".repeat(d.span.column - 1) + c.red("^".repeat(caretLen)));
  }
  for (const r of d.related ?? []) {
    const at = r.span ? `${r.span.file}:${r.span.line}:${r.span.column}` : formatPath(r.path);
    lines.push(`  ${c.dim("note:")} ${r.message} (${at})`);
  }
  if (d.hint) lines.push(`  ${c.cyan("help:")} ${d.hint}`);
  return lines.join("\n");
}

export function formatSummary(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.length - errors;
  const parts = [`${errors} error${errors === 1 ? "" : "s"}`];
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
  return `${parts.join(", ")}; nothing was written.`;
}

export function diagnosticToJson(d: Diagnostic) {
  return {
    code: d.code,
    severity: d.severity,
    title: CODES[d.code].title,
    message: d.message,
    path: formatPath(d.path),
    file: d.span?.file ?? null,
    line: d.span?.line ?? null,
    column: d.span?.column ?? null,
    hint: d.hint ?? null,
  };
}
