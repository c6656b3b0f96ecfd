/**
 * verify can fail: a copy of the generated tree with a rule removed, a port, a route or a sysctl
 * changed, or a unit nft/networkd refuses, makes it fail, naming exactly the cells (or the file)
 * that are wrong. The topology (the intent) stays as it is; only the generated files are broken.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileOk, ROOT } from "../helpers/compile.js";
import { cellName, LAB_BASICS, leftovers, verifyOk } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { writePlan } from "../helpers/tools.js";

/** Compile the fixture into `dir`, then apply text edits (file -> [from, to]) that must each match. */
async function brokenTree(dir: string, edits: Record<string, [string | RegExp, string][]>): Promise<void> {
  const c = await compileOk(LAB_BASICS, dir);
  writePlan(dir, c.plan);
  for (const [file, changes] of Object.entries(edits)) {
    const abs = join(dir, file);
    let text = readFileSync(abs, "utf8");
    for (const [from, to] of changes) {
      const next = text.replace(from, to);
      assert.is.not(next, text, `edit ${from} must apply to ${file}`);
      text = next;
    }
    writeFileSync(abs, text);
  }
}

const mismatches = (r: { cells: readonly { ok: boolean; from: string; to: string; proto: string; port?: number }[] }) =>
  r.cells
    .filter((c) => !c.ok)
    .map(cellName)
    .sort();

test("a changed port, a changed route and forwarding off: exactly those cells mismatch", async () => {
  await withTmp(async (dir) => {
    await brokenTree(dir, {
      "hosts/edge/nftables/topo-filter.nft": [["tcp dport { 22, 443, 8000-8002 }", "tcp dport { 22, 444, 8000-8002 }"]],
      "hosts/edge/network.nix": [['Destination = "10.30.0.0/24";', 'Destination = "10.31.0.0/24";']],
      "hosts/edge/system.nix": [['sysctl."net.ipv4.conf.all.forwarding" = true;', 'sysctl."net.ipv4.conf.all.forwarding" = false;']],
    });
    const r = await verifyOk({ file: LAB_BASICS, tree: dir });
    assert.is(r.ok, false);
    assert.equal(mismatches(r), ["edge -> external.edge.route:10.30.0.0/24 icmp", "external.edge.br-lan -> external.wan icmp", "external.wan -> edge tcp/443"]);
    assert.equal(r.expectations.find((e) => e.port === 443)?.status, "failed");
    assert.equal(leftovers(r.run), []);
  });
});

test("CLI: a removed rule makes verify exit 1 and list the cells it closed", async () => {
  await withTmp(async (dir) => {
    await brokenTree(dir, { "hosts/edge/nftables/topo-filter.nft": [[/\n.*\n    tcp dport \{ 22, 443, 8000-8002 \} accept/, ""]] });
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "topo.js"), "verify", LAB_BASICS, "--tree", dir], { encoding: "utf8", timeout: 120_000 });
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Mismatches \(4\):/);
    for (const port of [22, 443, 8000, 8002]) {
      assert.match(r.stdout, new RegExp(`external\\.wan -> edge tcp/${port}: expected reach \\(tcp[ /][^)]*open in hosts\\.edge\\.firewall[^)]*\\)\\), observed blocked`));
    }
    assert.match(r.stdout, /FAILED line \d+: external\.wan reaches edge on tcp\/443/);
  });
});

test("networkd judges the units: an unknown key fails the run, a key newer than networkd 252 is only listed", async () => {
  await withTmp(async (dir) => {
    await brokenTree(dir, {
      "hosts/edge/network.nix": [['linkConfig.RequiredForOnline = "routable";', 'linkConfig.RequiredForOnline = "routable";\n        networkConfig.IPv4Forwarding = true;\n        networkConfig.FooBar = "x";']],
    });
    const r = await verifyOk({ file: LAB_BASICS, tree: dir, host: "edge" });
    assert.is(r.ok, false);
    assert.equal(mismatches(r), [], "the unit still works: only the judge fails the run");
    const errors = r.findings.filter((f) => f.severity === "error");
    assert.is(errors.length, 1, JSON.stringify(r.findings));
    assert.is(errors[0]!.file, "10-enp1s0.network");
    assert.match(errors[0]!.message, /Unknown key 'FooBar' in section \[Network\]/);
    const expected = r.findings.filter((f) => f.severity === "expected");
    assert.is(expected.length, 1);
    assert.match(expected[0]!.message, /IPv4Forwarding.*systemd 256/);
  });
});

test("nft judges the rulesets: a table it refuses fails the run with nft's message", async () => {
  await withTmp(async (dir) => {
    await brokenTree(dir, { "hosts/office/nftables/topo-filter.nft": [["tcp dport 22 accept", "tcp dport 22 acept"]] });
    const r = await verifyOk({ file: LAB_BASICS, tree: dir, host: "office" });
    assert.is(r.ok, false);
    const f = r.findings.find((x) => x.component === "nftables" && x.severity === "error");
    assert.ok(f, JSON.stringify(r.findings));
    assert.is(f!.file, "hosts/office/nftables/topo-filter.nft");
    assert.match(f!.message, /nft refused table inet topo-filter/);
    // Without its table the host is wide open: the closed-port cells mismatch too.
    assert.ok(mismatches(r).includes("external.wan -> office tcp/9"));
  });
});

test.run();
