/**
 * Compile time of synthetic fleets of growing size: median of several in-process compiles each
 * (validate -> rules -> resolve -> lower -> render; no disk), and the growth between sizes.
 * Goal: a 1,000-VM fleet in under 2 s, and cost that grows linearly (ratio ~10 for 10x the VMs).
 */
import { compile } from "../src/compile.js";
import { syntheticFleet } from "./synthetic.js";

const SIZES = [10, 100, 1000];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchCompile(): Promise<void> {
  console.log("## compile time of synthetic fleets (median of runs, in-process, no disk)\n");
  console.log("| VMs | hosts | files | runs | median ms | ms per VM | heap MiB |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  const medians: number[] = [];
  for (const vms of SIZES) {
    const value = syntheticFleet(vms);
    // With its source text, so the locator (back-reference lines) is part of the measured cost.
    const loaded = { file: `/bench/synthetic-${vms}.ts`, source: `export default ${JSON.stringify(value, null, 2)};\n`, value };
    const runs = vms >= 1000 ? 5 : 9;
    const times: number[] = [];
    let files = 0;
    compile(loaded, { outDir: "/bench" }); // warm-up: JIT and template cache
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = compile(loaded, { outDir: "/bench" });
      times.push(performance.now() - t0);
      if (!r.ok) throw new Error(`synthetic fleet of ${vms} VMs does not compile: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
      files = r.compiled.plan.size;
    }
    const m = median(times);
    medians.push(m);
    const heap = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(`| ${vms} | ${Object.keys(value.hosts).length} | ${files} | ${runs} | ${m.toFixed(1)} | ${(m / vms).toFixed(3)} | ${heap.toFixed(0)} |`);
  }
  console.log("");
  for (let i = 1; i < SIZES.length; i++) {
    const ratio = medians[i]! / medians[i - 1]!;
    const size = SIZES[i]! / SIZES[i - 1]!;
    console.log(`growth ${SIZES[i - 1]} -> ${SIZES[i]} VMs (x${size}): time x${ratio.toFixed(2)} (linear would be x${size})`);
  }
  const last = medians[medians.length - 1]!;
  console.log(`1,000-VM fleet: ${last.toFixed(0)} ms (goal < 2000 ms): ${last < 2000 ? "met" : "NOT met"}`);
}
