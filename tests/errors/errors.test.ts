/**
 * The bad-input corpus: each case is a topology with one kind of mistake (or a hostile name).
 * topo must exit 1, print the located diagnostics in expected.txt (file:line:col, path, code,
 * message, hint), and write nothing.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { topo } from "../helpers/cli.js";
import { matchGolden } from "../helpers/golden.js";
import { ROOT } from "../helpers/compile.js";
import { withTmp } from "../helpers/tmp.js";

const DIR = join(ROOT, "tests", "errors");
const cases = readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test("the corpus has at least 15 cases", () => {
  assert.ok(cases.length >= 15, `only ${cases.length} cases`);
});

for (const name of cases) {
  test(`bad input: ${name}`, async () => {
    await withTmp((out) => {
      const target = join(out, "tree");
      const r = topo(["compile", "topology.ts", "--out", target], { cwd: join(DIR, name) });
      assert.is(r.status, 1, `exit code (stderr: ${r.stderr})`);
      assert.is(r.stdout, "", "nothing on stdout");
      assert.match(r.stderr, /^topology\.ts(:\d+:\d+)?  /, "first line names the file (and line:col)");
      assert.match(r.stderr, /error TOPO\d{4}: /);
      matchGolden(join(DIR, name, "expected.txt"), r.stderr);
      assert.not.ok(existsSync(target), "nothing written");
    });
  });
}

test("--json reports the same diagnostics as data", () => {
  const r = topo(["validate", "topology.ts", "--json"], { cwd: join(DIR, "unknown-bridge") });
  assert.is(r.status, 1);
  const j = JSON.parse(r.stdout) as { ok: boolean; diagnostics: { code: string; line: number; column: number; path: string; hint: string }[] };
  assert.is(j.ok, false);
  const d = j.diagnostics.find((x) => x.path === "hosts.alpha.containers.web.bridge");
  assert.ok(d, "the bridge diagnostic is there");
  assert.is(d!.code, "TOPO3001");
  assert.is(d!.line, 15);
  assert.is(d!.column, 33);
  assert.is(d!.hint, "did you mean `vmbr0`?");
});

test.run();
