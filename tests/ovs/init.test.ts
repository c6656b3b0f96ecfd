/**
 * `topo init --profile X` then `topo compile` works for each of the four profiles: the CLI as a
 * user runs it, in an empty directory; the result type-checks, is up to date, and its flows load
 * into a real Open vSwitch.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/compile.js";
import { run, nixParse } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { acceptedByOvs } from "../helpers/ovs.js";

const topo = (args: string[], cwd?: string) => run(process.execPath, [join(ROOT, "bin", "topo.js"), ...args], cwd ? { cwd } : {});

for (const [profile, host] of [
  ["none", "host1"],
  ["privacy-client", "router1"],
  ["privacy-vps", "vps1"],
  ["general", "node1"],
] as const) {
  test(`topo init --profile ${profile}, then topo compile`, async () => {
    await withTmp(async (tmp) => {
      const dir = join(tmp, `fleet-${profile}`);
      const r = topo(["init", dir, "--profile", profile]);
      assert.is(r.status, 0, r.stderr);
      for (const f of ["topology.ts", "README.md", ".gitignore", "package.json", "flake.nix", "topo.lock.json", `hosts/${host}/default.nix`, `hosts/${host}/vswitches.nix`]) {
        assert.ok(existsSync(join(dir, f)), `${f} exists`);
      }
      assert.match(readFileSync(join(dir, ".gitignore"), "utf8"), /^secrets\/$/m);
      assert.match(readFileSync(join(dir, "topology.ts"), "utf8"), new RegExp(`profile: "${profile}"`));
      assert.is(nixParse(join(dir, "flake.nix")).status, 0);
      // A second compile by the user finds the tree up to date; the file type-checks.
      const again = topo(["compile", "--check"], dir);
      assert.is(again.status, 0, again.stderr);
      const typed = topo(["validate", "--typecheck"], dir);
      assert.is(typed.status, 0, typed.stderr);
      await acceptedByOvs(join(dir, "topology.ts"), [host], dir);
    });
  });
}

test("topo init refuses to overwrite a topology.ts and rejects unknown profiles", async () => {
  await withTmp(async (dir) => {
    assert.is(topo(["init", dir, "--profile", "none"]).status, 0);
    const before = readFileSync(join(dir, "topology.ts"), "utf8");
    assert.is(topo(["init", dir, "--profile", "general"]).status, 1);
    assert.is(readFileSync(join(dir, "topology.ts"), "utf8"), before);
    assert.is(topo(["init", join(dir, "x"), "--profile", "bogus"]).status, 2);
  });
});

test.run();
