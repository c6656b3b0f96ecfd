/**
 * The verify report: the matrix of expected vs observed (one row per probed cell, mismatches
 * marked), the expectations, what the real daemons said about the generated files, what could not
 * be probed yet, mismatches listed with their reasons, and the time it all took.
 */
import { LAB_ROOT } from "../lab/index.js";
import type { CellOutcome, VerifyResult } from "./verify.js";

export const BUDGET_MS = 120_000;

const service = (c: { proto: string; port?: number }) => (c.port !== undefined ? `${c.proto}/${c.port}` : c.proto);
const verdict = (b: boolean) => (b ? "reach" : "blocked");
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

export function formatReport(r: VerifyResult): string {
  const lines: string[] = [];
  lines.push(`topo verify: ${r.fleet}, host${r.hosts.length === 1 ? "" : "s"} ${r.hosts.join(", ")} in lab ${r.run}`);
  if (r.stale.length) lines.push(`(removed stale lab run${r.stale.length > 1 ? "s" : ""} ${r.stale.join(", ")} first)`);
  lines.push("");
  const sorted = [...r.cells].sort(byCell);
  const rows = [["", "FROM", "TO", "SERVICE", "EXPECTED", "OBSERVED", ""]];
  for (const c of sorted) {
    rows.push([c.ok ? " " : "✗", c.from + (c.variant ? ` [${c.variant}]` : ""), c.to + (c.address ? ` (${c.address})` : ""), service(c), verdict(c.expected), verdict(c.observed), c.ok ? (c.expectations.length ? `expectation #${c.expectations.map((i) => i + 1).join(",#")}` : "") : "MISMATCH"]);
  }
  lines.push(...table(rows).map((l) => `  ${l}`));
  lines.push("");

  if (r.expectations.length) {
    const n = (s: string) => r.expectations.filter((e) => e.status === s).length;
    lines.push(`Expectations: ${n("proved")} proved, ${n("failed")} failed, ${n("not-in-lab")} not provable in this lab yet`);
    for (const e of r.expectations) {
      const where = e.line !== undefined ? `line ${e.line}` : `#${e.index + 1}`;
      lines.push(`  ${e.status === "proved" ? "ok    " : e.status === "failed" ? "FAILED" : "--    "} ${where}: ${e.from} ${e.reach ? "reaches" : "does not reach"} ${e.to} on ${service(e)}${e.why ? ` (${e.why})` : ""}`);
    }
    lines.push("");
  }

  const errors = r.findings.filter((f) => f.severity === "error");
  const expected = r.findings.filter((f) => f.severity === "expected");
  lines.push(`The real components on the generated files: ${errors.length ? `${errors.length} complaint${errors.length > 1 ? "s" : ""}` : "no complaint"}${expected.length ? `, ${expected.length} expected` : ""}`);
  for (const f of [...errors, ...expected]) lines.push(`  ${f.severity === "error" ? "ERROR   " : "expected"} ${f.component}${f.host ? `@${f.host}` : ""}${f.file ? ` ${f.file}` : ""}: ${f.message}`);
  lines.push("");

  const absent = r.unprobed.filter((u) => u.missing.length);
  if (absent.length) {
    const missing = [...new Set(absent.flatMap((u) => u.missing))].sort();
    lines.push(`Not probed: ${absent.length} cell${absent.length > 1 ? "s" : ""} whose endpoints no lab component stands up yet (${missing.join(", ")})`);
    lines.push("");
  }
  const held = r.unprobed.filter((u) => u.why);
  if (held.length) {
    lines.push(`Not probed: ${held.length} cell${held.length > 1 ? "s" : ""} on ports a real daemon holds (it answers no probe):`);
    for (const u of held) lines.push(`  ${u.from} -> ${u.why}`);
    lines.push("");
  }

  const bad = r.cells.filter((c) => !c.ok);
  if (bad.length) {
    lines.push(`Mismatches (${bad.length}):`);
    for (const c of bad) lines.push(`  ${mismatch(c)}`);
    lines.push("");
  }

  const t = r.timing;
  lines.push(
    `${r.ok ? "OK" : "FAILED"}: ${r.cells.length} cells probed, ${bad.length} mismatch${bad.length === 1 ? "" : "es"}, ${errors.length} complaint${errors.length === 1 ? "" : "s"}; ` +
      `${secs(t.totalMs)} in all (compile ${secs(t.compileMs)}, lab up ${secs(t.upMs)}, probes ${secs(t.probeMs)}, teardown ${secs(t.teardownMs)}; budget ${secs(BUDGET_MS)})`,
  );
  if (r.kept) {
    lines.push("");
    lines.push(`The lab ${r.run} is kept up. Enter a namespace with:`);
    for (const ns of r.kept.namespaces) lines.push(`  ip netns exec ${ns} bash`);
    lines.push(`Logs, rendered units and rulesets: ${LAB_ROOT}/${r.run}/`);
    lines.push(`Tear it down with: npx ${r.kept.teardown}`);
  }
  return lines.join("\n");
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** By destination, then source, then service (icmp, tcp, udp; ports in numeric order). */
function byCell(a: CellOutcome, b: CellOutcome): number {
  return cmp(a.to, b.to) || cmp(a.from, b.from) || cmp(a.proto, b.proto) || (a.port ?? 0) - (b.port ?? 0);
}

export function mismatch(c: CellOutcome): string {
  return `${c.from}${c.variant ? ` [${c.variant}]` : ""} -> ${c.to}${c.address && c.variant ? ` (${c.address})` : ""} ${service(c)}: expected ${verdict(c.expected)} (${c.reason}), observed ${verdict(c.observed)}${c.detail ? ` (${c.detail})` : ""}`;
}

export function reportJson(r: VerifyResult): string {
  return JSON.stringify(r, null, 2);
}
