/**
 * The fuzz run in the lab: a handful of random mixed fleets (fixed seeds) verify with 0 mismatches
 * and 0 complaints, adversarial cells included; and the adversarial probes can fail: with the VM
 * network's source checks taken out of the generated ruleset, the spoofed cells mismatch, and only
 * spoofed cells do.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALL_CONCEPTS, type FleetShape } from "../../src/lab/fuzz/fleet.js";
import { fuzz, outcomeLine } from "../../src/verify/fuzz.js";
import { compileOk, ROOT } from "../helpers/compile.js";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { writePlan } from "../helpers/tools.js";

/** The fleets `npm test` proves: every concept; `npm run fuzz` runs many more seeds. */
export const TESTED_SHAPE: FleetShape = { ...ALL_CONCEPTS };
export const TESTED_SEEDS = { seed: 1, count: 3 };

test("a handful of random fleets (fixed seeds) verify: 0 mismatches, 0 complaints, nothing left behind", async () => {
  await withTmp(async (dir) => {
    const outcomes = await fuzz({ ...TESTED_SEEDS, out: dir, shape: TESTED_SHAPE });
    assert.equal(outcomes.filter((o) => o.status !== "pass").map(outcomeLine), []);
    for (const o of outcomes) {
      assert.ok(o.cells > 0);
      assert.ok(o.result!.cells.some((c) => c.variant?.startsWith("renumbered")), `seed ${o.seed} probes renumbered containers`);
      assert.equal(leftovers(o.result!.run), []);
    }
  });
});

test("spoofed sources: the probes see the source check work, and see it missing", async () => {
  await withTmp(async (dir) => {
    const topo = join(ROOT, "topology.ts");
    writePlan(dir, (await compileOk(topo, dir)).plan);
    const intact = await verifyOk({ file: topo, tree: dir, host: "hv1", adversarial: true });
    const spoofedToWan = (r: typeof intact) => r.cells.filter((c) => c.variant?.startsWith("spoofed") && c.to === "external.wan");
    assert.is(spoofedToWan(intact).length, 10, "5 VMs, a neighbour's address and one on no subnet");
    assert.ok(spoofedToWan(intact).every((c) => c.ok && !c.observed), spoofedToWan(intact).filter((c) => !c.ok).map(cellName).join(", "));
    assert.ok(intact.cells.some((c) => c.variant?.startsWith("spoofed") && c.to === "external.wan" && c.source === "100.64.0.77/32"));

    const file = join(dir, "hosts/hv1/nftables/topo-filter.nft");
    const text = readFileSync(file, "utf8");
    const broken = text.replace(/\n[^\n]*ip saddr != @vm_sources[^\n]*/g, "");
    assert.is.not(broken, text, "the source checks are in the generated ruleset");
    writeFileSync(file, broken);
    const r = await verifyOk({ file: topo, tree: dir, host: "hv1", adversarial: true });
    // What the mutation broke: the cells that mismatch now and did not before.
    const before = new Set(intact.cells.filter((c) => !c.ok).map(cellName));
    const broke = r.cells.filter((c) => !c.ok && !before.has(cellName(c)));
    assert.equal(broke.filter((c) => c.to === "external.wan").map(cellName).sort(), spoofedToWan(intact).map(cellName).sort(), "every spoofed cell to the internet now passes the host");
    assert.ok(broke.every((c) => c.variant?.startsWith("spoofed") && c.observed), broke.map(cellName).join(", "));
    assert.equal(leftovers(r.run), []);
  });
});

test.run();
