/**
 * How commands talk: data (and --json) on stdout, people's messages on stderr, colour only for a
 * terminal without NO_COLOR.
 */
import { formatDiagnostic, formatSummary, colorsFor, diagnosticToJson } from "../diag/report.js";
import type { Diagnostic } from "../diag/diagnostic.js";

export function out(s: string): void {
  process.stdout.write(s.endsWith("\n") ? s : s + "\n");
}
export function info(s: string): void {
  process.stderr.write(s.endsWith("\n") ? s : s + "\n");
}

export function printDiagnostics(diags: readonly Diagnostic[], json: boolean, file: string): void {
  if (json) {
    out(JSON.stringify({ ok: false, file, diagnostics: diags.map(diagnosticToJson) }, null, 2));
    return;
  }
  const c = colorsFor(process.stderr);
  for (const d of diags) info(formatDiagnostic(d, c, file) + "\n");
  info(formatSummary(diags));
}
