/**
 * One fleet size, in a process of its own (so peak memory is this fleet's): a warm-up compile,
 * then `runs` compiles; prints one JSON line with the median wall time, the stage times of the
 * median run, the file count and bytes written, and the process's peak RSS after the first compile
 * and after all of them.
 * Usage: node --import tsx bench/compile-one.ts <vms> <vmsPerHost> <runs>
 */
import { compile } from "../src/compile.js";
import { syntheticFleet } from "./synthetic.js";

const [vms, perHost, runs] = process.argv.slice(2).map(Number) as [number, number, number];
const value = syntheticFleet(vms, perHost);
// With its source text, so the locator (back-reference lines) is part of the measured cost.
const loaded = { file: `/bench/synthetic-${vms}.ts`, source: `export default ${JSON.stringify(value, null, 2)};\n`, value };

const one = () => {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const r = compile(loaded, { outDir: "/bench", timings });
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`synthetic fleet of ${vms} VMs does not compile: ${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return { ms, timings, plan: r.compiled.plan };
};

one(); // warm-up: JIT and template cache
// The process's peak after one compile: what a `topo compile` of this fleet holds at most (the
// runs after it add the garbage of earlier compiles not yet collected).
const peakOneMiB = process.resourceUsage().maxRSS / 1024;
const results = Array.from({ length: runs }, one).sort((a, b) => a.ms - b.ms);
const median = results[Math.floor(results.length / 2)]!;
let bytes = 0;
for (const text of median.plan.values()) bytes += Buffer.byteLength(text);
process.stdout.write(
  JSON.stringify({
    vms,
    hosts: Object.keys(value.hosts).length,
    files: median.plan.size,
    bytes,
    ms: median.ms,
    stages: median.timings,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakOneMiB,
  }) + "\n",
);
