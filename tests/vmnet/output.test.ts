import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileOk, ROOT } from "../helpers/compile.js";
import { nftCheck, nixEvalJson, nixParse, run, writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { wrapTable } from "../../src/render/nft.js";
import { printTableBody } from "../../src/render/nft.js";

const fleet = () => compileOk(join(ROOT, "topology.ts"), ROOT);

test("hv1 compiles; both of its tables pass nft -c", async () => {
  const c = await fleet();
  const hv1 = c.hosts.find((h) => h.name === "hv1")!;
  assert.equal(hv1.nftTables.map((t) => `${t.family} ${t.name}`), ["inet topo-filter", "ip topo-nat"]);
  for (const t of hv1.nftTables) {
    const r = await nftCheck(t, printTableBody(t));
    assert.is(r.status, 0, `${t.name}: ${r.stderr}`);
  }
});

test("hv1's ruleset really loads into a kernel (nft -f in a fresh network namespace) with the sets filled", async () => {
  const c = await fleet();
  const hv1 = c.hosts.find((h) => h.name === "hv1")!;
  await withTmp((dir) => {
    const f = join(dir, "ruleset.nft");
    writeFileSync(f, hv1.nftTables.map((t) => wrapTable(t, printTableBody(t))).join("\n"));
    const r = run("unshare", ["-n", "sh", "-c", `nft -f ${f} && nft list set inet topo-filter vm_exceptions && nft list set ip topo-nat vm_bridges && nft list chain inet topo-filter forward`]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /"br-vm1" \. "br-vm2" \. tcp \. 5432/);
    assert.match(r.stdout, /"br-vm5"/);
    assert.match(r.stdout, /policy drop/);
  });
});

test("every generated .nix parses; hv1's data modules evaluate without nixpkgs and agree with each other", async () => {
  const c = await fleet();
  await withTmp((dir) => {
    writePlan(dir, c.plan);
    const nixFiles = [...c.plan.keys()].filter((p) => p.endsWith(".nix"));
    assert.ok(nixFiles.includes("hosts/hv1/microvms.nix"));
    for (const p of nixFiles) assert.is(nixParse(join(dir, p)).status, 0, p);
    const hv = join(dir, "hosts", "hv1");
    for (const f of readdirSync(hv).filter((f) => f.endsWith(".nix") && f !== "default.nix")) nixEvalJson(join(hv, f));

    type Guest = { config: { microvm: { hypervisor: string; interfaces: { type: string; id: string; mac: string }[] }; systemd: { network: { networks: Record<string, { matchConfig: { MACAddress: string }; address: string[]; routes: { Gateway: string }[] }> } } } };
    const vms = (nixEvalJson(join(hv, "microvms.nix")) as { microvm: { vms: Record<string, Guest> } }).microvm.vms;
    const net = (nixEvalJson(join(hv, "network.nix")) as { systemd: { network: { networks: Record<string, { matchConfig: { Name: string }; address?: string[]; networkConfig?: { Bridge?: string } }> } } }).systemd.network.networks;
    assert.equal(Object.keys(vms), ["vm1", "vm2", "vm3", "vm4", "vm5"]);
    for (const [name, vm] of Object.entries(vms)) {
      const [iface] = vm.config.microvm.interfaces;
      assert.is(iface!.type, "tap");
      // The TAP the guest gets is the one the host's networkd enslaves to the VM's bridge ...
      const port = Object.values(net).find((n) => n.matchConfig.Name === iface!.id);
      assert.is(port?.networkConfig?.Bridge, `br-${name}`);
      const bridge = Object.values(net).find((n) => n.matchConfig.Name === `br-${name}`)!;
      // ... and the guest's unit matches its NIC by MAC and routes through the bridge's address.
      const unit = vm.config.systemd.network.networks["10-uplink"]!;
      assert.is(unit.matchConfig.MACAddress, iface!.mac);
      assert.is(unit.routes[0]!.Gateway, bridge.address![0]!.split("/")[0]);
    }
  });
});

test("the flake gives hv1 (and only hv1) microvm.nixosModules.host", async () => {
  const c = await fleet();
  const flake = c.plan.get("flake.nix")!;
  // Each host's modules are listed once (hostModules), for nixosConfigurations and the Colmena hive.
  assert.is(flake.match(/microvm\.nixosModules\.host/g)?.length, 1);
  assert.match(flake, /hv1 = \[\s*microvm\.nixosModules\.host\s*\.\/hosts\/hv1\s*\];/);
  assert.match(flake, /hv1 = nixpkgs\.lib\.nixosSystem \{\s*specialArgs = \{ inherit inputs; \};\s*modules = hostModules\.hv1;/);
  assert.match(flake, /imports = hostModules\.hv1;/);
  assert.match(c.plan.get("hosts/hv1/default.nix")!, /\.\/microvms\.nix/);
});

test.run();
