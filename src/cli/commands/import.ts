import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { diagnosticToJson } from "../../diag/report.js";
import { importState } from "../../tools/import/import-state.js";
import { EXIT } from "../exit.js";
import { info, out, printDiagnostics } from "../output.js";

export interface ImportFlags {
  readonly out?: string;
  readonly host?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

export async function importCommand(file: string, flags: ImportFlags): Promise<number> {
  const path = resolve(file);
  if (!existsSync(path)) {
    info(`topo: ${file}: no such file`);
    return EXIT.usage;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    info(`topo: ${file} is not JSON: ${(e as Error).message}`);
    return EXIT.failed;
  }
  if (flags.host !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(flags.host)) {
    info(`topo: --host ${JSON.stringify(flags.host)} is not a host name (one DNS label: a-z, 0-9, '-')`);
    return EXIT.usage;
  }
  const r = importState(raw, { sourceName: basename(path), ...(flags.host ? { host: flags.host } : {}) });
  if (flags.out) {
    if (existsSync(flags.out) && !flags.force) {
      info(`topo: ${flags.out} exists; refusing to overwrite it (use --force)`);
      return EXIT.failed;
    }
    writeFileSync(flags.out, r.source);
  }
  const ok = r.diagnostics.length === 0;
  if (flags.json) {
    out(JSON.stringify({ ok, ...(flags.out ? { out: flags.out } : { source: r.source }), notMapped: r.report.notMapped, assumed: r.report.assumed, diagnostics: r.diagnostics.map(diagnosticToJson) }, null, 2));
  } else {
    if (!flags.out) out(r.source);
    info(`topo: imported ${basename(path)}${flags.out ? ` into ${flags.out}` : ""}: ${r.report.notMapped.length} value${r.report.notMapped.length === 1 ? "" : "s"} not imported, ${r.report.assumed.length} assumed.`);
    for (const n of r.report.notMapped) info(`  not imported  ${n.path} = ${n.value}: ${n.reason}`);
    for (const a of r.report.assumed) info(`  assumed       ${a.path} = ${a.value}: ${a.why}`);
    if (!ok) printDiagnostics(r.diagnostics, false, flags.out ?? "topology.ts");
  }
  return ok ? EXIT.ok : EXIT.failed;
}
