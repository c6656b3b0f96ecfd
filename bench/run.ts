/**
 * `npm run bench`: prints figures, asserts nothing (tests are not timed). Each benchmark measures
 * its comparisons side by side in one run, because these machines are noisy.
 */
import { benchCompile } from "./compile.js";
import { benchVerify } from "./verify.js";
import { benchVmIsolationReport } from "./vm-isolation.js";

const benches: [string, () => Promise<void>][] = [
  ["compile", benchCompile],
  ["vm-isolation", benchVmIsolationReport],
  ["verify", benchVerify],
];

const only = process.argv[2];
for (const [name, run] of benches) {
  if (only && only !== name) continue;
  await run();
  console.log("");
}
