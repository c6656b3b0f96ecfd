import { displayName } from "../../load/locate.js";
import { keptRuns, teardownRun } from "../../lab/index.js";
import { formatReport, reportJson } from "../../verify/report.js";
import { verify, type Progress } from "../../verify/verify.js";
import { EXIT } from "../exit.js";
import { info, out, printDiagnostics } from "../output.js";

export interface VerifyFlags {
  readonly host?: string;
  readonly json?: boolean;
  readonly keep?: boolean;
  readonly tree?: string;
  readonly teardown?: string;
  readonly adversarial?: boolean;
}

export async function verifyCommand(file: string, flags: VerifyFlags): Promise<number> {
  if (flags.teardown !== undefined) return teardownCommand(flags.teardown, !!flags.json);
  const tty = process.stderr.isTTY && !flags.json;
  const progress = (p: Progress) => {
    if (p.kind === "phase") {
      if (tty) process.stderr.write(`\r\x1b[Klab: ${p.phase}...`);
    } else if (tty) process.stderr.write(`\r\x1b[Kprobing ${p.done}/${p.total}`);
    else if (p.done === 0) info(`topo verify: probing ${p.total} cells...`);
  };
  const outcome = await verify({ file, ...(flags.tree ? { tree: flags.tree } : {}), ...(flags.host ? { host: flags.host } : {}), keep: !!flags.keep, adversarial: flags.adversarial !== false, progress });
  if (tty) process.stderr.write("\r\x1b[K");
  switch (outcome.kind) {
    case "diagnostics":
      printDiagnostics(outcome.diagnostics, !!flags.json, displayName(outcome.file));
      return EXIT.failed;
    case "unavailable":
      if (flags.json) out(JSON.stringify({ ok: false, unavailable: outcome.problems }, null, 2));
      for (const p of outcome.problems) info(`topo verify: ${p}`);
      return EXIT.unavailable;
    case "lab-error":
      if (flags.json) out(JSON.stringify({ ok: false, error: outcome.message, detail: outcome.detail }, null, 2));
      info(`topo verify: the lab failed: ${outcome.message}${outcome.detail ? `\n${outcome.detail}` : ""}`);
      return EXIT.failed;
    case "done":
      if (flags.json) out(reportJson(outcome.result));
      else out(formatReport(outcome.result));
      return outcome.result.ok ? EXIT.ok : EXIT.failed;
  }
}

function teardownCommand(id: string, json: boolean): number {
  const ids = id === "all" ? keptRuns() : [id];
  if (!ids.every((x) => /^topo-[0-9a-f]{6,}$/.test(x))) {
    info(`topo verify --teardown: \`${id}\` is not a lab run id (topo-xxxxxx, or all)`);
    return EXIT.usage;
  }
  const reports = ids.map((x) => ({ run: x, ...teardownRun(x) }));
  if (json) out(JSON.stringify(reports, null, 2));
  for (const r of reports) info(`topo verify: removed lab ${r.run}: ${r.namespaces.length} namespaces, ${r.processes} processes${r.leftovers.length ? `; LEFT: ${r.leftovers.join(", ")}` : ""}`);
  return reports.every((r) => !r.leftovers.length) ? EXIT.ok : EXIT.failed;
}
