/**
 * The generated OVS, container and privacy-guard files as their consumers read them: the Nix
 * evaluator (plain data, no nixpkgs), the Nix parser (the hand-written module) and nft.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { compileOk, ROOT, CASES } from "../helpers/compile.js";
import { nftCheck, nixEvalJson, nixParse, writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { printTableBody } from "../../src/render/nft.js";
import { PROFILES, withProfile } from "../helpers/profiles.js";

test("oo1424oo: vswitches.nix, the bridge's network, late ports and default.nix fit together", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  await withTmp((dir) => {
    writePlan(dir, c.plan);
    const h = join(dir, "hosts", "oo1424oo");
    const v = nixEvalJson(join(h, "vswitches.nix")) as any;
    const br = v.networking.vswitches.vmbr0;
    assert.equal(br.interfaces, {}, "container veths are not boot-time ports");
    assert.equal(Object.keys(v.topo.ovs.latePorts).sort(), ["veth100", "veth102", "veth200", "veth201"]);
    assert.equal(v.topo.ovs.latePorts.veth100, { bridge: "vmbr0", ofport: 100 });
    assert.match(br.extraOvsctlCmds, /^set-fail-mode vmbr0 secure$/m);
    assert.is(br.openFlowVersion, "OpenFlow13");
    assert.ok(br.supportedOpenFlowVersions.includes(br.openFlowVersion));
    assert.not.ok("warp0" in br.interfaces, "a WireGuard device is layer 3: not an OVS port");
    const net = nixEvalJson(join(h, "network.nix")) as any;
    assert.equal(net.systemd.network.networks["20-vmbr0"].address, ["10.0.0.1/24"]);
    assert.is(net.systemd.network.networks["20-vmbr0"].matchConfig.Name, "vmbr0");
    assert.not.ok(net.systemd.network.netdevs?.["20-vmbr0"], "networkd must not create a Linux bridge named vmbr0");
    const def = c.plan.get("hosts/oo1424oo/default.nix")!;
    assert.match(def, /\.\.\/\.\.\/nixos\/ovs-late-ports\.nix/);
    assert.match(def, /\.\/vswitches\.nix/);
    assert.is(nixParse(join(dir, "nixos", "ovs-late-ports.nix")).status, 0);
    assert.ok(c.plan.has("nixos/ovs-late-ports.nix") && ![...c.plan.keys()].some((p) => p.endsWith("/ovs-late-ports.nix") && p.startsWith("hosts/")), "one copy for the fleet");
    assert.is(nixParse(join(h, "default.nix")).status, 0);
  });
});

test("the privacy guard table loads in nft and keeps each source to its tunnel", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  const host = c.hosts.find((h) => h.name === "oo1424oo")!;
  const t = host.nftTables.find((x) => x.name === "topo-privacy")!;
  const body = printTableBody(t);
  assert.match(body, /iifname "vmbr0" ip saddr 10\.0\.0\.100 ct state new oifname != "warp0" counter drop/);
  assert.match(body, /iifname "vmbr0" ip saddr 10\.0\.0\.102 ct state new oifname != "warp0" counter drop/);
  const r = await nftCheck(t, body);
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(c.hosts.find((h) => h.name === "node2")!.nftTables.some((x) => x.name === "topo-privacy"), "no privacy guard where nothing is private");
});

test("NixOS containers: OVS bridge -> extra veth named like the port, gateway, chain relays forward", async () => {
  const c = await compileOk(join(CASES, "ovs", "features.ts"), "/nonexistent-out");
  await withTmp((dir) => {
    writePlan(dir, c.plan);
    const v = nixEvalJson(join(dir, "hosts", "box", "containers.nix")) as any;
    const relay = v.containers.relay;
    // No localAddress on the extra veth (the module would route it on the host); the container addresses it.
    assert.equal(relay.extraVeths, { veth101: {} });
    assert.equal(relay.config.networking.interfaces, { veth101: { ipv4: { addresses: [{ address: "10.0.0.101", prefixLength: 24 }] } } });
    assert.is(relay.privateNetwork, true);
    assert.not.ok("hostBridge" in relay, "nspawn cannot enslave to an OVS bridge");
    assert.equal(relay.config.networking.defaultGateway, { address: "10.0.0.102", interface: "veth101" }, "a hop's gateway is the next hop");
    assert.is(relay.config.boot.kernel.sysctl["net.ipv4.conf.all.forwarding"], true);
    assert.equal(v.containers.web.config.networking.firewall, { allowedTCPPorts: [80] });
    assert.is(v.containers.web.config.system.stateVersion, "25.11");
    assert.not.ok("entry" in v.containers, "runtime external: networking only");
    const lp = (nixEvalJson(join(dir, "hosts", "box", "vswitches.nix")) as any).topo.ovs.latePorts;
    assert.ok(lp.veth101 && !lp.internal_100, "veths are late ports, internal ports are not");
  });
});

/** Every `networking.vswitches.<br>.interfaces.<port>` of a generated tree, as Nix evaluates it. */
function vswitchInterfaces(dir: string, plan: ReadonlyMap<string, string>): { where: string; port: string; value: any }[] {
  const out: { where: string; port: string; value: any }[] = [];
  for (const file of [...plan.keys()].filter((f) => f.endsWith("/vswitches.nix"))) {
    const v = nixEvalJson(join(dir, file)) as any;
    for (const [br, sw] of Object.entries<any>(v.networking.vswitches)) {
      for (const [port, value] of Object.entries<any>(sw.interfaces)) out.push({ where: `${file} ${br}`, port, value });
    }
  }
  return out;
}

// NixOS declares `name` of a vswitch interface without a default (vswitchInterfaceOpts in
// network-interfaces.nix): whatever reads it fails with "was accessed but has no value defined".
test("every generated vswitch interface sets name (its own port name): reference, cases, init profiles", async () => {
  const seen: string[] = [];
  const check = (dir: string, plan: ReadonlyMap<string, string>) => {
    for (const i of vswitchInterfaces(dir, plan)) {
      assert.is(i.value.name, i.port, `${i.where}: interfaces.${i.port}.name`);
      seen.push(i.port);
    }
  };
  for (const file of [join(ROOT, "topology.ts"), join(CASES, "ovs", "features.ts")]) {
    const c = await compileOk(file, "/nonexistent-out");
    await withTmp((dir) => {
      writePlan(dir, c.plan);
      check(dir, c.plan);
    });
  }
  for (const profile of PROFILES) await withProfile(profile, (dir, c) => check(dir, c.plan));
  assert.ok(seen.includes("internal_9") && seen.includes("uplink2"), `boot-time ports were checked (saw ${seen.join(", ")})`);
});

test.run();
