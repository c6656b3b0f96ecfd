/**
 * The front end as commands use it: load, read the tree's lock, analyze; on a problem, print the
 * diagnostics (text or --json) and give the exit code. Every command that reads a topology starts
 * here, so `topo graph` on a fresh clone sees the same lock as `topo compile`.
 */
import { frontEnd, prepare, type Analyzed, type FrontEndOptions, type Prepared } from "../compile.js";
import { displayName } from "../load/locate.js";
import { EXIT } from "./exit.js";
import { printDiagnostics } from "./output.js";

export interface FrontEndFlags extends FrontEndOptions {
  readonly json?: boolean;
}

/** The analyzed topology, or the exit code after the diagnostics were printed. */
export async function analyzeOrExit(file: string, flags: FrontEndFlags = {}): Promise<Analyzed | number> {
  const r = await frontEnd(file, flags.out !== undefined ? { out: flags.out } : {});
  if (r.ok) return r.analyzed;
  printDiagnostics(r.diagnostics, !!flags.json, displayName(r.file));
  return EXIT.failed;
}

/** The loaded topology and the tree's lock (for `topo keys`, which analyzes with missing keys allowed). */
export async function prepareOrExit(file: string, flags: FrontEndFlags = {}): Promise<Prepared | number> {
  const r = await prepare(file, flags.out !== undefined ? { out: flags.out } : {});
  if (r.ok) return r.prepared;
  printDiagnostics(r.diagnostics, !!flags.json, displayName(r.file));
  return EXIT.failed;
}
