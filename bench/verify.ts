/**
 * `topo verify` on the reference fleet, end to end (compile, lab up with the real daemons, probes,
 * teardown), three runs: the phase times and the worst total against the 2-minute budget on this
 * machine. Needs root; prints why it is skipped otherwise.
 */
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { verify } from "../src/verify/verify.js";

const FLEET = join(fileURLToPath(new URL(".", import.meta.url)), "..", "topology.ts");
const BUDGET_MS = 120_000;
const RUNS = 3;

export async function benchVerify(): Promise<void> {
  console.log(`## topo verify of the reference fleet (${RUNS} runs, ${cpus().length} cores)\n`);
  if (process.getuid?.() !== 0) {
    console.log("skipped: topo verify needs root");
    return;
  }
  console.log("| run | cells | compile s | lab up s | probes s | teardown s | total s |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  let worst = 0;
  for (let i = 1; i <= RUNS; i++) {
    const o = await verify({ file: FLEET });
    if (o.kind !== "done") throw new Error(`verify did not run: ${JSON.stringify(o)}`);
    if (!o.result.ok) throw new Error("the reference fleet does not verify");
    const t = o.result.timing;
    const s = (ms: number) => (ms / 1000).toFixed(2);
    worst = Math.max(worst, t.totalMs);
    console.log(`| ${i} | ${o.result.cells.length} | ${s(t.compileMs)} | ${s(t.upMs)} | ${s(t.probeMs)} | ${s(t.teardownMs)} | ${s(t.totalMs)} |`);
  }
  console.log(`\nworst total ${(worst / 1000).toFixed(1)} s (budget ${BUDGET_MS / 1000} s): ${worst < BUDGET_MS ? "met" : "NOT met"}`);
}
