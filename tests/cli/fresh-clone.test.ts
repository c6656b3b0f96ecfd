/**
 * Every command on a fresh clone of the reference fleet: the committed topology, lock and tree,
 * no secrets, no build products. Each must agree with `topo compile` on what the topology means
 * (they share one front end, and read the lock from the tree), so each exits 0.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/compile.js";
import { topo } from "../helpers/cli.js";
import { withTmp } from "../helpers/tmp.js";

/** What a clone of the fleet repository holds: topology.ts, its lock and every generated file. */
function cloneFleet(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(ROOT, "topo.manifest.json"), "utf8")) as { files: string[] };
  const hardware = readdirSync(join(ROOT, "hosts")).map((h) => `hosts/${h}/hardware-configuration.nix`).filter((p) => existsSync(join(ROOT, p)));
  for (const p of ["topology.ts", "topo.manifest.json", ...manifest.files, ...hardware]) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    copyFileSync(join(ROOT, p), join(dir, p));
  }
  const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], { cwd: dir, encoding: "utf8" });
  git("init", "-q", ".");
  git("add", "-A");
  git("commit", "-qm", "fleet");
}

test("every command exits 0 on a fresh clone of the reference fleet", () =>
  withTmp((dir) => {
    cloneFleet(dir);
    const run = (...args: string[]) => {
      const r = topo(args, { cwd: dir });
      assert.is(r.status, 0, `topo ${args.join(" ")}:\n${r.stderr}`);
      return r;
    };
    assert.match(run("compile", "topology.ts", "--check").stderr, /up to date/);
    assert.match(run("validate", "topology.ts").stderr, /is valid \(4 hosts\)/);
    assert.is(JSON.parse(run("ir", "topology.ts").stdout).hosts.length, 4);
    assert.match(run("graph", "topology.ts").stdout, /^```mermaid$/m);
    assert.match(run("graph", "topology.ts", "--host", "node2").stdout, /^```mermaid$/m);
    assert.match(run("diff", "HEAD").stdout, /.+/);
    // The same bytes as the committed tree: compile writes nothing.
    assert.match(run("compile", "topology.ts").stderr, / 0 files? written, 0 removed/);
    // Last, as it changes the fleet: keys makes the missing private keys (a clone has none).
    run("keys", "topology.ts");
    const secrets = readdirSync(join(dir, "secrets")).filter((f) => f.endsWith(".key"));
    assert.ok(secrets.length > 0, "private keys created");
    for (const f of secrets) assert.is(statSync(join(dir, "secrets", f)).mode & 0o777, 0o600, f);
  }),
);

test.run();
