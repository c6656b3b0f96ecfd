/**
 * The WireGuard output: what the real Nix evaluator reads back from the generated modules (flat
 * peer shapes, key by path), which peers and allowed-ips each shape gives, routes and policy rules,
 * and nftables that nft accepts.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileOk, ROOT } from "../helpers/compile.js";
import { nftCheck, nixEvalJson, nixParse, writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { intentMatrix } from "../../src/policy/intent.js";
import { wireguardIntent } from "../../src/policy/contributors/wireguard.js";
import { compileValue, fleet, KEYS } from "./fleet.js";

type Json = any;

async function evalNetwork(value: unknown): Promise<Record<string, Json>> {
  return withTmp(async (dir) => {
    const r = await compileValue(dir, value);
    if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    writePlan(dir, r.compiled.plan);
    const out: Record<string, Json> = {};
    for (const h of r.compiled.ir.hosts) {
      const f = join(dir, "hosts", h.name, "network.nix");
      assert.is(nixParse(f).status, 0, `${f} parses`);
      out[h.name] = (nixEvalJson(f) as Json).systemd.network;
      const peers = join(dir, "hosts", h.name, "wireguard.nix");
      if (existsSync(peers)) out[h.name].peers = (nixEvalJson(peers) as Json).topo.wireguard.peers;
    }
    return out;
  });
}

test("reference fleet: every generated module parses and evaluates; netdevs use the flat peer shape and a key path", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  await withTmp(async (dir) => {
    writePlan(dir, c.plan);
    for (const host of ["oo1424oo", "netmaker-gateway", "node2"]) {
      const net = (nixEvalJson(join(dir, "hosts", host, "network.nix")) as Json).systemd.network;
      const wgNetdevs = Object.values(net.netdevs as Record<string, Json>).filter((n) => n.netdevConfig.Kind === "wireguard");
      assert.ok(wgNetdevs.length >= 1, `${host} has a WireGuard netdev`);
      for (const n of wgNetdevs) {
        assert.equal(Object.keys(n.wireguardConfig).filter((k) => !["PrivateKeyFile", "ListenPort"].includes(k)), [], "only whitelisted [WireGuard] keys");
        assert.match(n.wireguardConfig.PrivateKeyFile, /^\/run\/secrets\/topo\/[a-z0-9-]+-[a-z0-9-]+\.key$/);
        assert.not.ok("wireguardPeers" in n, "peers are not in the netdev (a changed netdev restarts networkd, which drops every peer)");
        const peers = (nixEvalJson(join(dir, "hosts", host, "wireguard.nix")) as Json).topo.wireguard.peers[n.netdevConfig.Name];
        assert.ok(peers.length >= 1, `${host} ${n.netdevConfig.Name} has peers in topo.wireguard.peers`);
        for (const p of peers) {
          assert.not.ok("wireguardPeerConfig" in p, "no legacy wrapper");
          for (const k of Object.keys(p)) assert.ok(["PublicKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"].includes(k), `peer key ${k}`);
          assert.ok(Array.isArray(p.AllowedIPs));
        }
      }
    }
    // The whole tree: no module names a private key literally.
    for (const [p, text] of c.plan) assert.not.match(text, /PrivateKey\s*=|privateKey\s*=/, `${p} has no literal private key option`);
    for (const [p] of c.plan) if (p.endsWith(".nix")) assert.is(nixParse(join(dir, p)).status, 0, `${p} parses`);
  });
});

test("reference fleet: hub peers with every spoke; a spoke has the hub only, covering the overlay and the other spoke's subnet", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  const wg = (h: string, i: string) => c.ir.hosts.find((x) => x.name === h)!.wireguard.find((w) => w.name === i)!;
  const hub = wg("netmaker-gateway", "nm-privacy");
  assert.equal(hub.peers.map((p) => p.name), ["node2", "oo1424oo"]);
  assert.equal(hub.peers.find((p) => p.name === "node2")!.allowedIPs, ["10.100.0.3/32", "10.1.0.0/24"]);
  // oo1424oo is the exit of the hub's SOCKS5 proxy: the hub routes 0.0.0.0/0 to it.
  assert.equal(hub.peers.find((p) => p.name === "oo1424oo")!.allowedIPs, ["10.100.0.2/32", "10.0.0.0/24", "0.0.0.0/0"]);
  assert.is(hub.peers.find((p) => p.name === "node2")!.endpoint, undefined, "a NATed member is never dialled");
  const oo = wg("oo1424oo", "nm-privacy");
  assert.equal(oo.peers.map((p) => [p.name, p.allowedIPs, p.endpoint]), [["netmaker-gateway", ["10.100.0.0/24", "10.1.0.0/24"], "198.51.100.10:51821"]]);
  assert.equal(oo.routes.map((r) => [r.destination, r.metric]), [["10.1.0.0/24", 50]]);
  const n2 = wg("node2", "nm-privacy");
  assert.is(n2.peers[0]!.keepalive, 25, "behind NAT: keepalive");
  assert.is(oo.peers[0]!.keepalive, undefined, "public member: none");
  assert.equal(n2.routes.map((r) => [r.destination, r.metric]), [["10.0.0.0/24", 50]]);
  // Forwarding where the mesh carries others' traffic.
  for (const h of ["netmaker-gateway", "node2", "oo1424oo"]) assert.ok(c.ir.hosts.find((x) => x.name === h)!.forwarding.ipv4, `${h} forwards`);
});

test("reference fleet: warp0 policy routing sends only its users into its table; the hub's proxy source exits via oo1424oo", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  const oo = c.ir.hosts.find((x) => x.name === "oo1424oo")!;
  const warp = oo.wireguard.find((w) => w.name === "warp0")!;
  const t = oo.tunnels.find((x) => x.name === "warp0")!;
  assert.equal(t.users.map((u) => [u.kind, u.ref, u.source]), [
    ["container", "gateway", "10.0.0.100"],
    ["remote", "netmaker-gateway.socks5", "10.100.0.1"],
    ["container", "xray", "10.0.0.102"],
  ]);
  assert.equal(warp.routes.map((r) => [r.destination, r.table]), [["0.0.0.0/0", t.table]]);
  const exitRules = warp.policyRules.filter((r) => r.table === t.table).map((r) => r.from).sort();
  assert.equal(exitRules, ["10.0.0.100/32", "10.0.0.102/32", "10.100.0.1/32"]);
  assert.ok(warp.policyRules.filter((r) => r.table === "main").every((r) => r.suppressPrefixLength === 0 && r.priority < warp.policyRules.find((x) => x.table === t.table)!.priority));
  assert.ok(warp.masquerade);
  assert.is(t.bridge, "vmbr0", "the bridge pass learns the tunnel's port from the IR");
  const gw = c.ir.hosts.find((x) => x.name === "netmaker-gateway")!.wireguard[0]!;
  const exitTable = gw.routes.find((r) => r.destination === "0.0.0.0/0")!.table!;
  assert.equal(gw.policyRules.map((r) => [r.from, r.table]), [["10.100.0.1/32", "main"], ["10.100.0.1/32", exitTable]]);
});

test("reference fleet: nftables accept the listen ports on the uplink and the masquerade table", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  const oo = c.hosts.find((h) => h.name === "oo1424oo")!;
  const nat = oo.nftTables.find((t) => t.name === "topo-wireguard")!;
  const filter = oo.nftTables.find((t) => t.name === "topo-filter")!;
  for (const t of [nat, filter]) {
    const body = c.plan.get(`hosts/oo1424oo/nftables/${t.name}.nft`)!;
    const r = await nftCheck(t, body);
    assert.is(r.status, 0, r.stderr);
  }
  const filterText = c.plan.get("hosts/oo1424oo/nftables/topo-filter.nft")!;
  assert.match(filterText, /iifname "enp1s0" udp dport 51821 accept/);
  assert.match(filterText, /iifname "enp1s0" udp dport 51820 accept/);
  assert.match(c.plan.get("hosts/oo1424oo/nftables/topo-wireguard.nft")!, /oifname "warp0" masquerade/);
  // node2 is behind NAT: nobody dials it, so nothing is opened for the mesh there.
  assert.not.match(c.plan.get("hosts/node2/nftables/topo-filter.nft")!, /iifname "enp1s0" udp dport 51821/);
  assert.match(c.plan.get("hosts/oo1424oo/firewall.nix")!, /topo-wireguard/);
});

test("full shape: every member peers with every other, /32 plus published subnets", async () => {
  const f = fleet();
  f.meshes.mesh.shape = "full";
  delete f.meshes.mesh.hub;
  f.meshes.mesh.members.n2.behindNat = false;
  f.meshes.mesh.members.n2.endpoint = "203.0.113.20:51821";
  const net = await evalNetwork(f);
  const peers = (h: string) => net[h].peers.wgmesh as Json[];
  assert.equal(peers("n1").map((p) => p.AllowedIPs), [["10.100.0.1/32"], ["10.100.0.3/32", "10.1.0.0/24"]]);
  // gw's proxy exits through n1: gw (a direct peer in a full mesh) routes 0.0.0.0/0 to n1 only.
  assert.equal(peers("gw").map((p) => p.AllowedIPs), [["10.100.0.2/32", "10.0.0.0/24", "0.0.0.0/0"], ["10.100.0.3/32", "10.1.0.0/24"]]);
  assert.equal(peers("n2").map((p) => p.PublicKey), [KEYS.gw.publicKey, KEYS.n1.publicKey]);
  assert.equal(peers("gw").map((p) => p.Endpoint), ["203.0.113.10:51821", "203.0.113.20:51821"]);
  assert.equal(net.n2.networks["30-wgmesh"].routes, [{ Destination: "10.0.0.0/24", Metric: 50 }]);
});

test("hub shape output, evaluated: allocated overlay addresses, keepalive only behind NAT, exit rules on the hub", async () => {
  const net = await evalNetwork(fleet());
  assert.equal(net.n1.networks["30-wgmesh"].address, ["10.100.0.2/24"]);
  assert.equal(net.n2.networks["30-wgmesh"].address, ["10.100.0.3/24"]);
  const n2peers = net.n2.peers.wgmesh as Json[];
  assert.equal(n2peers, [{ AllowedIPs: ["10.100.0.0/24", "10.0.0.0/24"], Endpoint: "198.51.100.10:51821", PersistentKeepalive: 25, PublicKey: KEYS.gw.publicKey }]);
  // gw's socks exits through n1's warp0: a table with the mesh as default, rules for its overlay source.
  const gwNet = net.gw.networks["30-wgmesh"];
  assert.equal(gwNet.routingPolicyRules, [
    { Family: "ipv4", From: "10.100.0.1/32", Priority: 10000, SuppressPrefixLength: 0, Table: "main" },
    { Family: "ipv4", From: "10.100.0.1/32", Priority: 10010, Table: 100 },
  ]);
  // The tunnel: key by path, far end with keepalive, default route only in its table.
  const warp = net.n1.netdevs["31-warp0"];
  assert.equal(warp.wireguardConfig, { PrivateKeyFile: "/run/keys/warp0.key" });
  assert.equal(net.n1.networks["31-warp0"].routes, [{ Destination: "0.0.0.0/0", Table: 100 }]);
  // The VPN server: first pool address, the client's allocated /32.
  assert.equal(net.n1.networks["30-wg0"].address, ["10.8.0.1/24"]);
  assert.equal((net.n1.peers.wg0 as Json[])[0].AllowedIPs, ["10.8.0.2/32"]);
});

test("two spokes exiting through each other's hub: the hub carries the default route for the remote source", async () => {
  const f = fleet();
  delete f.hosts.gw.services.socks.exitVia;
  f.hosts.n2.services = { proxy: { proto: "tcp", port: 3128, exitVia: "n1.warp0" } };
  await withTmp(async (dir) => {
    const r = await compileValue(dir, f);
    assert.ok(r.ok, r.ok ? "" : r.diagnostics.map((d) => d.message).join("\n"));
    if (!r.ok) return;
    const wg = (h: string) => r.compiled.ir.hosts.find((x) => x.name === h)!.wireguard.find((w) => w.name === "wgmesh")!;
    assert.ok(wg("n2").peers[0]!.allowedIPs.includes("0.0.0.0/0"), "the spoke sends its exit traffic to the hub");
    assert.ok(wg("gw").peers.find((p) => p.name === "n1")!.allowedIPs.includes("0.0.0.0/0"), "the hub sends it on to the exit");
    assert.not.ok(wg("gw").peers.find((p) => p.name === "n2")!.allowedIPs.includes("0.0.0.0/0"));
    assert.ok(wg("gw").policyRules.some((r) => r.from === "10.100.0.3/32" && r.table !== "main"), "the hub policy-routes the spoke's source");
    assert.ok(r.compiled.ir.hosts.find((x) => x.name === "gw")!.forwarding.ipv4);
  });
});

test("allocations stay in topo.lock.json: adding a member never renumbers the others", async () => {
  await withTmp(async (dir) => {
    const r1 = await compileValue(dir, fleet());
    assert.ok(r1.ok);
    if (!r1.ok) return;
    writePlan(dir, r1.compiled.plan);
    const lock1 = JSON.parse(readFileSync(join(dir, "topo.lock.json"), "utf8"));
    assert.equal(lock1.wireguard.addresses.mesh, { n1: "10.100.0.2", n2: "10.100.0.3" });
    assert.equal(lock1.wireguard.clients.n1.wg0, { laptop: "10.8.0.2" });
    // A new member whose name sorts first, and a new client: existing allocations stay.
    const f = fleet();
    f.hosts.a0 = { system: "x86_64-linux", stateVersion: "25.05", uplink: { interface: "eth0", dhcp: true } };
    f.meshes.mesh.members.a0 = { behindNat: true, publicKey: otherKey(KEYS.warp.publicKey, "A") };
    f.hosts.n1.vpnServers.wg0.clients.aaa = { publicKey: otherKey(KEYS.client.publicKey, "B") };
    const r2 = await compileValue(dir, f);
    assert.ok(r2.ok, r2.ok ? "" : r2.diagnostics.map((d) => d.message).join("\n"));
    if (!r2.ok) return;
    const wg = (r2.compiled.lock as Json).wireguard;
    assert.equal(wg.addresses.mesh, { a0: "10.100.0.4", n1: "10.100.0.2", n2: "10.100.0.3" });
    assert.equal(wg.clients.n1.wg0, { aaa: "10.8.0.3", laptop: "10.8.0.2" });
    // Same input and lock: same bytes.
    writePlan(dir, r2.compiled.plan);
    const r3 = await compileValue(dir, f);
    assert.ok(r3.ok);
    if (r3.ok) for (const [p, text] of r2.compiled.plan) assert.is(r3.compiled.plan.get(p), text, p);
  });
});

test("intent: members reach each other's overlay and the containers others publish; tunnel users are not the mesh's to promise", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"));
  const m = intentMatrix(c.ir, [wireguardIntent]);
  const has = (from: string, to: string) => m.cells.some((x) => x.from === from && x.to === to && x.proto === "icmp" && x.allowed);
  for (const [a, b] of [["oo1424oo", "node2"], ["node2", "oo1424oo"], ["node2", "netmaker-gateway"], ["netmaker-gateway", "oo1424oo"]]) assert.ok(has(a!, b!), `${a} -> ${b}`);
  assert.ok(has("oo1424oo", "node2.vector-db"));
  assert.ok(has("node2", "oo1424oo.mcp-server"));
  assert.not.ok(m.cells.some((x) => x.to === "oo1424oo.gateway" || x.to === "oo1424oo.xray"), "WARP users are left to the tunnel");
  assert.ok(m.cells.find((x) => x.from === "oo1424oo" && x.to === "node2")!.toAddress === "10.100.0.3", "members are probed at their overlay address");
  const beyond = (from: string) => m.cells.find((x) => x.from === from && x.to === "external.oo1424oo.warp0")?.allowed;
  assert.equal(["oo1424oo.gateway", "oo1424oo.xray", "oo1424oo.mcp-server", "oo1424oo.op-dbus-api", "oo1424oo", "netmaker-gateway"].map(beyond), [true, true, false, false, false, false]);
  assert.ok(m.cells.every((x) => /(^|\s)(hosts|meshes)[.[]/.test(x.reason)), "every cell says where it comes from");
});

test.run();

/** A valid key that differs from `key` (the keys are random: a fixed first letter may already be there). */
function otherKey(key: string, first: string): string {
  return (key[0] === first ? (first === "A" ? "C" : "D") : first) + key.slice(1);
}
