/**
 * The generated tree, fed to its real consumers: every .nix parses, every data module evaluates
 * without nixpkgs to exactly what the IR says, and every nftables table loads in nft.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CASES, ROOT, compileOk } from "../helpers/compile.js";
import { nftCheck, nixEvalJson, nixParse, writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import type { HostIR } from "../../src/ir/types.js";

const FIXTURES = [join(ROOT, "topology.ts"), join(CASES, "basics", "topology.ts")];

for (const file of FIXTURES) {
  const label = file.replace(ROOT + "/", "");

  test(`${label}: every generated .nix parses`, async () => {
    const { plan } = await compileOk(file);
    await withTmp((dir) => {
      writePlan(dir, plan);
      const nix = [...plan.keys()].filter((p) => p.endsWith(".nix"));
      assert.ok(nix.length > 0);
      for (const p of nix) {
        const r = nixParse(join(dir, p));
        assert.is(r.status, 0, `${p}: ${r.stderr}`);
      }
    });
  });

  test(`${label}: data modules evaluate without nixpkgs to what the IR says`, async () => {
    const { plan, ir } = await compileOk(file);
    await withTmp((dir) => {
      writePlan(dir, plan);
      for (const host of ir.hosts) {
        const sys = nixEvalJson(join(dir, "hosts", host.name, "system.nix")) as any;
        assert.is(sys.networking.hostName, host.name);
        assert.is(sys.nixpkgs.hostPlatform, host.system);
        assert.is(sys.system.stateVersion, host.stateVersion);
        assert.is(sys.boot?.kernel?.sysctl?.["net.ipv4.conf.all.forwarding"] ?? false, host.forwarding.ipv4);

        const net = nixEvalJson(join(dir, "hosts", host.name, "network.nix")) as any;
        assert.equal(net.networking, { useDHCP: false, useNetworkd: true });
        checkUplink(host, net.systemd.network.networks);
        checkBridges(host, net.systemd.network);
        checkRoutes(host, net.systemd.network.networks);

        const fw = nixEvalJson(join(dir, "hosts", host.name, "firewall.nix")) as any;
        assert.is(fw.networking.firewall.enable, false);
        const content: string = fw.networking.nftables.tables["topo-filter"].content;
        assert.is(fw.networking.nftables.tables["topo-filter"].family, "inet");
        if (host.firewall.tcp.length) assert.ok(content.includes(`tcp dport ${host.firewall.tcp.length === 1 && !host.firewall.tcpRanges.length ? host.firewall.tcp[0] : "{ " + host.firewall.tcp.join(", ")}`), `tcp ports of ${host.name}`);
      }
    });
  });

  test(`${label}: every nftables table loads in nft`, async () => {
    const { hosts, plan } = await compileOk(file);
    for (const h of hosts) {
      for (const t of h.nftTables) {
        const text = plan.get(`hosts/${h.name}/nftables/${t.name}.nft`)!;
        const r = await nftCheck(t, text);
        assert.is(r.status, 0, `${h.name}/${t.name}: ${r.stderr}`);
      }
    }
  });
}

function checkUplink(host: HostIR, networks: Record<string, any>): void {
  const unit = networks[`10-${host.uplink.interface}`];
  assert.ok(unit, `uplink unit of ${host.name}`);
  assert.is(unit.matchConfig.Name, host.uplink.interface);
  if (host.uplink.dhcp) assert.is(unit.networkConfig.DHCP, "ipv4");
  else assert.equal(unit.address, [host.uplink.address]);
  if (host.uplink.gateway) assert.equal(unit.routes[0], { Gateway: host.uplink.gateway });
  assert.equal(unit.dns ?? [], [...host.uplink.dns]);
}

function checkBridges(host: HostIR, network: any): void {
  for (const br of host.bridges) {
    if (br.kind !== "linux") continue;
    assert.equal(network.netdevs[`20-${br.name}`].netdevConfig, { Kind: "bridge", Name: br.name });
    assert.equal(network.networks[`20-${br.name}`].address ?? [], br.address ? [br.address] : []);
    if (br.ports.length) assert.equal(network.networks[`21-${br.name}-ports`].matchConfig.Name, [...br.ports]);
  }
}

function checkRoutes(host: HostIR, networks: Record<string, any>): void {
  const all = Object.values(networks).flatMap((n: any) => (n.routes ?? []).filter((r: any) => r.Destination));
  for (const r of host.routes) {
    assert.ok(all.some((x: any) => x.Destination === r.destination && x.Gateway === r.gateway && x.Metric === r.metric), `route ${r.destination} of ${host.name}`);
  }
}

test.run();
