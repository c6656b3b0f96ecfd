/**
 * The intent matrix asked for some cells only (what compile does: expectations, the reachability
 * test) must give exactly the whole matrix's cells there, and every endpoint.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { betweenScope, cellScope, intentFor, intentMatrix, type IntentMatrix } from "../../src/policy/intent.js";
import { compileOk, CASES, ROOT } from "../helpers/compile.js";

const FLEETS = [join(ROOT, "topology.ts"), join(CASES, "basics", "topology.ts"), join(CASES, "lab-basics", "topology.ts"), join(CASES, "ovs", "features.ts")];

const within = (m: IntentMatrix, keep: (from: string, to: string) => boolean) => m.cells.filter((c) => keep(c.from, c.to));

for (const fleet of FLEETS) {
  const name = fleet.slice(ROOT.length + 1);

  test(`${name}: the cells asked for are the whole matrix's cells there`, async () => {
    const { ir } = await compileOk(fleet);
    const full = intentMatrix(ir);
    assert.ok(full.cells.length > 10, "a fleet with cells to choose from");
    // Every third cell's pair, and a pair no contributor has.
    const asked = full.cells.filter((_, i) => i % 3 === 0).map((c) => ({ from: c.from, to: c.to }));
    asked.push({ from: "external.wan", to: "nowhere" });
    const pairs = new Set(asked.map((p) => `${p.from} ${p.to}`));
    const scoped = intentFor(ir, cellScope(asked));
    assert.equal(scoped.cells, within(full, (f, t) => pairs.has(`${f} ${t}`)));
    assert.equal(scoped.endpoints, full.endpoints);
  });

  test(`${name}: all pairs between two sets of endpoints are the whole matrix's cells there`, async () => {
    const { ir } = await compileOk(fleet);
    const full = intentMatrix(ir);
    const ids = full.endpoints.map((e) => e.id);
    const from = ids.filter((_, i) => i % 2 === 0);
    const to = ids.filter((_, i) => i % 3 !== 0);
    const scoped = intentFor(ir, betweenScope(from, to));
    const expected = within(full, (f, t) => from.includes(f) && to.includes(t));
    assert.ok(expected.length > 0, "some cells in the scope");
    assert.equal(scoped.cells, expected);
  });
}

test.run();
