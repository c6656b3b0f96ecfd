/**
 * The unit files the lab hands networkd are rendered as NixOS renders systemd.network: section
 * order, sorted keys, lists as repeated keys, true/false, one [Route] per route; unknown options
 * are refused rather than guessed. The generated modules are read through the real evaluator.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readGeneratedTree } from "../../src/lab/generated/tree.js";
import { networkToUnit, netdevToUnit, renderNetworkd, UnitRenderError } from "../../src/lab/generated/networkd-units.js";
import { compileOk } from "../helpers/compile.js";
import { LAB_BASICS } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { writePlan } from "../helpers/tools.js";

test("network units: [Match], [Link], [Network] with shorthands, then one [Route] per route", () => {
  const text = networkToUnit(
    {
      matchConfig: { Name: ["eth1", "eth2"] },
      linkConfig: { RequiredForOnline: "routable" },
      networkConfig: { DHCP: "ipv4", ConfigureWithoutCarrier: true },
      address: ["203.0.113.30/24"],
      dns: ["192.0.2.53", "192.0.2.54"],
      routes: [{ Gateway: "203.0.113.1" }, { routeConfig: { Destination: "10.0.0.0/8", Metric: 50 } }],
    },
    "x.network",
  );
  assert.is(
    text,
    "[Match]\nName=eth1\nName=eth2\n\n[Link]\nRequiredForOnline=routable\n\n[Network]\nConfigureWithoutCarrier=true\nDHCP=ipv4\nAddress=203.0.113.30/24\nDNS=192.0.2.53\nDNS=192.0.2.54\n\n[Route]\nGateway=203.0.113.1\n\n[Route]\nDestination=10.0.0.0/8\nMetric=50\n\n",
  );
});

test("netdev units: [NetDev] then the kind's sections in NixOS order; false renders as false", () => {
  assert.is(netdevToUnit({ netdevConfig: { Name: "br0", Kind: "bridge" }, bridgeConfig: { STP: false } }, "b.netdev"), "[NetDev]\nKind=bridge\nName=br0\n\n[Bridge]\nSTP=false\n\n");
  assert.throws(() => netdevToUnit({ netdevConfig: { Name: "x", Kind: "dummy" }, fancyConfig: {} }, "x.netdev"), (e: Error) => e instanceof UnitRenderError && /fancyConfig/.test(e.message));
});

test("the fixture's generated modules, evaluated by nix-instantiate and merged, render to the units networkd gets", async () => {
  await withTmp(async (dir) => {
    writePlan(dir, (await compileOk(LAB_BASICS, dir)).plan);
    const tree = readGeneratedTree(dir, ["edge", "office"]);
    const edge = tree.get("edge")!;
    assert.equal(edge.modules, ["hosts/edge/firewall.nix", "hosts/edge/network.nix", "hosts/edge/system.nix"]);
    const units = renderNetworkd((edge.config.systemd as { network: never }).network);
    assert.equal([...units.files.keys()], ["20-br-lan.netdev", "10-enp1s0.network", "20-br-lan.network", "21-br-lan-ports.network"]);
    assert.equal(units.netdevNames, ["br-lan"]);
    assert.match(units.files.get("21-br-lan-ports.network")!, /\[Match\]\nName=eth1\nName=eth2\n/);
    assert.match(units.files.get("10-enp1s0.network")!, /\[Route\]\nGateway=203\.0\.113\.1\n\n\[Route\]\nDestination=198\.51\.100\.128\/25\nGateway=203\.0\.113\.254\n/);
    const nft = (edge.config.networking as { nftables: { tables: Record<string, { content: string; family: string }> } }).nftables.tables["topo-filter"]!;
    assert.is(nft.family, "inet");
    assert.match(nft.content, /tcp dport \{ 22, 443, 8000-8002 \} accept/);
  });
});

test.run();
