/**
 * Tree goldens: each case under tests/cases/<name>/ compiles to the files in expected/, byte for
 * byte, so reviewers see real .nix and .nft output. The IR has a golden of its own (ir.json): when
 * an output golden moves, it tells whether the front end or a backend moved.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CASES, compileOk } from "../helpers/compile.js";
import { matchGolden, UPDATING } from "../helpers/golden.js";

const cases = readdirSync(CASES, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(CASES, d.name, "topology.ts"))).map((d) => d.name).sort();

for (const name of cases) {
  test(`golden tree: ${name}`, async () => {
    const dir = join(CASES, name);
    const { plan, ir } = await compileOk(join(dir, "topology.ts"));
    const expected = join(dir, "expected");
    for (const [p, text] of plan) matchGolden(join(expected, p), text);
    matchGolden(join(dir, "ir.json"), JSON.stringify(ir, null, 2) + "\n");
    if (!UPDATING) {
      // No stale golden: every expected file is still generated.
      const listed = (d: string, prefix = ""): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listed(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
      assert.equal(listed(expected).sort(), [...plan.keys()].sort());
    }
  });
}

test.run();
