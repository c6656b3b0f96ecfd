/**
 * The guardian: a small detached process started with every run. It outlives an owner killed
 * with SIGKILL (which no handler can catch) and then tears the run down from its record.
 * It exits as soon as the run is done, kept on purpose, or gone.
 *
 *   node guardian.js <run-id>
 */
import { existsSync } from "node:fs";
import { alive, readState, runDir, teardownRun } from "./state.js";

const id = process.argv[2];
if (!id || !/^topo-[0-9a-f]{6,}$/.test(id)) process.exit(2);
// Never die with the owner's terminal or process group.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => {});

const tick = () => {
  const dir = runDir(id);
  const s = existsSync(dir) ? readState(dir) : undefined;
  if (!s || s.status !== "running") process.exit(0);
  if (!alive(s.owner)) {
    teardownRun(id);
    process.exit(0);
  }
  setTimeout(tick, 200);
};
tick();
