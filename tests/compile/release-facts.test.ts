/**
 * The NixOS releases as they are now (25.11, 26.05, unstable): nothing topo generates may use what
 * they removed or changed. Scanned: the whole generated tree of the reference fleet, of every case
 * under tests/cases, and of every `topo init` profile, plus topo's hand-written modules.
 *
 * - `network-setup.service` no longer exists in 26.05 (NixOS/nixpkgs#515773): nothing orders on it.
 * - The networkd unit checker follows systemd 259 (NixOS/nixpkgs#506245): `TTLPropagate` and
 *   `IPServiceType` are gone from [Route].
 * - `KeepConfiguration` values are `static`/`dynamic-on-stop`/`dynamic` (and booleans) since systemd
 *   257 (NixOS/nixpkgs#395621): the old `dhcp`/`dhcp-on-stop` fail the checker.
 * - `PublicKeyFile` in a [WireGuardPeer]: rejected by 24.11, silently never loaded by 26.05
 *   (NixOS/nixpkgs#474737); public keys stay inline.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CASES, compileOk, ROOT } from "../helpers/compile.js";
import { withTmp } from "../helpers/tmp.js";
import { PROFILES, scaffold } from "../../src/init/scaffold.js";

const FORBIDDEN: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "network-setup.service (gone in 26.05, NixOS/nixpkgs#515773)", re: /network-setup/ },
  { what: "TTLPropagate (not in [Route] since systemd 259)", re: /\bTTLPropagate\b/ },
  { what: "IPServiceType (not in [Route] since systemd 259)", re: /\bIPServiceType\b/ },
  { what: "KeepConfiguration with a pre-257 value", re: /KeepConfiguration\s*=\s*"?(dhcp|dhcp-on-stop)"?/ },
  { what: "PublicKeyFile in a peer (NixOS/nixpkgs#474737)", re: /\bPublicKeyFile\b/ },
];

/** Every (file, rule) pair the tree breaks. */
function violations(tree: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of tree) for (const f of FORBIDDEN) if (f.re.test(text)) out.push(`${file}: ${f.what}`);
  return out;
}

async function trees(): Promise<Map<string, ReadonlyMap<string, string>>> {
  const all = new Map<string, ReadonlyMap<string, string>>();
  all.set("reference fleet", (await compileOk(join(ROOT, "topology.ts"))).plan);
  for (const d of readdirSync(CASES, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const f of ["topology.ts", "features.ts"]) {
      const file = join(CASES, d.name, f);
      if (existsSync(file)) all.set(`tests/cases/${d.name}/${f}`, (await compileOk(file, "/nonexistent-out")).plan);
    }
  }
  for (const profile of PROFILES) {
    await withTmp(async (dir) => {
      const s = scaffold({ dir, profile, topoVersion: "0.1.0" });
      for (const [name, text] of s.files) writeFileSync(join(dir, name), text);
      all.set(`topo init --profile ${profile}`, (await compileOk(join(dir, "topology.ts"))).plan);
    });
  }
  const modules = join(ROOT, "modules");
  all.set("modules/", new Map(readdirSync(modules).map((f) => [`modules/${f}`, readFileSync(join(modules, f), "utf8")])));
  return all;
}

test("no generated tree (reference fleet, test cases, every init profile) uses what 25.11/26.05 removed", async () => {
  const all = await trees();
  assert.ok(all.size >= 2 + PROFILES.length, "the reference fleet, the cases and the profiles were scanned");
  for (const [name, tree] of all) {
    assert.ok(tree.size > 0, `${name} has files`);
    assert.equal(violations(tree), [], name);
  }
});

test("the scan catches each removed thing (a tree that uses them)", () => {
  const bad = new Map([
    ["hosts/a/network.nix", 'routes = [ { Destination = "10.0.0.0/8"; TTLPropagate = true; } ];'],
    ["hosts/a/svc.nix", 'after = [ "network-setup.service" ];'],
    ["hosts/a/tos.nix", "routes = [ { IPServiceType = \"CS6\"; } ];"],
    ["hosts/a/keep.nix", 'networkConfig.KeepConfiguration = "dhcp-on-stop";'],
    ["hosts/a/wg.nix", 'wireguardPeers = [ { PublicKeyFile = "/run/secrets/peer.pub"; } ];'],
    ["hosts/a/fine.nix", 'networkConfig.KeepConfiguration = "dynamic-on-stop"; after = [ "network.target" ];'],
  ]);
  const v = violations(bad);
  assert.is(v.length, FORBIDDEN.length, v.join("\n"));
  assert.not.ok(v.some((x) => x.startsWith("hosts/a/fine.nix")), "the current forms pass");
});

test.run();
