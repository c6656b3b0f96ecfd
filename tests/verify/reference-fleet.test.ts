/**
 * `npx topo verify topology.ts` on the reference fleet: exit 0, the matrix printed, the time
 * printed, nothing left behind. (The 2-minute budget is measured by the run and shown; the
 * benchmark, not this test, holds the speed target.)
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/compile.js";
import { leftovers } from "../helpers/lab.js";

test("the reference fleet verifies: exit 0, matrix and timing printed", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "topo.js"), "verify", "topology.ts"], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /FROM\s+TO\s+SERVICE\s+EXPECTED\s+OBSERVED/);
  assert.match(r.stdout, /external\.wan\s+oo1424oo \(203\.0\.113\.10\)\s+tcp\/8006\s+reach\s+reach/);
  assert.match(r.stdout, /external\.wan\s+hv1 \(192\.0\.2\.\d+\)\s+tcp\/22\s+reach\s+reach/);
  assert.match(r.stdout, /^OK: \d+ cells probed, 0 mismatches, 0 complaints; [\d.]+ s in all/m);
  const run = /in lab (topo-[0-9a-f]+)/.exec(r.stdout)![1]!;
  assert.equal(leftovers(run), []);
});

test("--json prints the whole report", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "topo.js"), "verify", "topology.ts", "--json", "--host", "netmaker-gateway"], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.is(j.ok, true);
  assert.equal(j.hosts, ["netmaker-gateway"]);
  assert.ok(j.cells.some((c: { to: string; port?: number; observed: boolean }) => c.to === "netmaker-gateway" && c.port === 8443 && c.observed));
  assert.type(j.timing.totalMs, "number");
});

test.run();
