/**
 * topo import: an op-dbus state file in, a readable topology.ts out, and the list of what did
 * not come over. The written topology is checked by the same validate and rules as `topo compile`
 * before it is handed back, so an import that would not compile says so.
 */
import { validate } from "../../check/validate.js";
import { runRules } from "../../check/rules/index.js";
import { hasErrors, type Diagnostic } from "../../diag/diagnostic.js";
import { mapState, type ImportOptions } from "./map-state.js";
import { plainValue, printTopologyModule } from "./print-ts.js";
import type { ImportReport } from "./report.js";

export interface ImportResult {
  /** The text of topology.ts. */
  readonly source: string;
  /** The value it exports (what compile will see). */
  readonly value: unknown;
  readonly report: ImportReport;
  /** Problems `topo compile` would report on the written file (none, normally). */
  readonly diagnostics: Diagnostic[];
}

export function importState(raw: unknown, opts: ImportOptions = {}): ImportResult {
  const { topology, report } = mapState(raw, opts);
  const value = plainValue(topology);
  const v = validate(value);
  const diagnostics = v.ok ? runRules(v.value) : v.diagnostics;
  const source = printTopologyModule(header(report, opts), topology);
  return { source, value, report, diagnostics: hasErrors(diagnostics) ? diagnostics : diagnostics.filter((d) => d.severity === "error") };
}

function header(report: ImportReport, opts: ImportOptions): string[] {
  const lines = [
    `Imported by \`topo import\` from ${opts.sourceName ?? "an op-dbus state file"}.`,
    "Values the state does not hold are marked \"assumed\": check them. What could not be imported is",
    "listed here and written commented out where it belongs; `topo compile` builds the rest as it is.",
  ];
  const byReason = new Map<string, string[]>();
  for (const n of report.notMapped) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), `${n.path} = ${n.value}`]);
  if (byReason.size) {
    lines.push("", "Not imported:");
    for (const [reason, paths] of byReason) {
      lines.push(`- ${reason}:`);
      for (const p of paths) lines.push(`    ${p}`);
    }
  }
  if (report.assumed.length) {
    lines.push("", "Assumed:");
    for (const a of report.assumed) lines.push(`- ${a.path} = ${a.value} (${a.why})`);
  }
  return lines;
}
