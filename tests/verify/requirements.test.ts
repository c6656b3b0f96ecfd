/**
 * verify refuses clearly when it cannot run: not root (exit 69, says so), or a program missing
 * (names it and its Debian package, with the apt-get line).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkRequirements } from "../../src/lab/runtime/requirements.js";
import { labRequirements } from "../../src/lab/lab.js";
import { ROOT, compileOk } from "../helpers/compile.js";
import { LAB_BASICS } from "../helpers/lab.js";

test("not root: exit 69 and a sentence saying so", () => {
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "env", "HOME=/tmp", process.execPath, join(ROOT, "bin", "topo.js"), "verify", "topology.ts"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  assert.is(r.status, 69, r.stderr);
  assert.match(r.stderr, /must run as root/);
});

test("a missing program is named with its Debian package and the install line", () => {
  const problems = checkRequirements([
    { program: "topo-no-such-program", debian: "topo-pkg-a", for: "testing" },
    { program: "/usr/lib/topo/no-such-daemon", debian: "topo-pkg-b", for: "testing too" },
  ]);
  const text = problems.join("\n");
  assert.match(text, /topo-no-such-program \(Debian package topo-pkg-a; for testing\)/);
  assert.match(text, /no-such-daemon \(Debian package topo-pkg-b; for testing too\)/);
  assert.match(text, /apt-get install -y --no-install-recommends topo-pkg-a topo-pkg-b/);
});

test("the lab's requirements for host basics are all installed here", async () => {
  const { ir } = await compileOk(LAB_BASICS);
  const reqs = labRequirements(ir);
  assert.ok(reqs.some((r) => r.debian === "systemd") && reqs.some((r) => r.debian === "nftables") && reqs.some((r) => r.debian === "socat"));
  assert.equal(checkRequirements(reqs), []);
});

test.run();
