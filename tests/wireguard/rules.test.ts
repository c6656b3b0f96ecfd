/**
 * The WireGuard error corpus: each broken topology gives its code at the path where the mistake
 * was written, and a fixable hint where one exists.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatPath, type Diagnostic } from "../../src/diag/diagnostic.js";
import { withTmp } from "../helpers/tmp.js";
import { compileValue, fleet, KEYS } from "./fleet.js";

type Json = any;

async function diagnose(mutate: (f: Json) => void, lock?: unknown): Promise<{ ok: boolean; diags: Diagnostic[] }> {
  const f = fleet();
  mutate(f);
  return withTmp(async (dir) => {
    if (lock) writeFileSync(join(dir, "topo.lock.json"), JSON.stringify(lock));
    const r = await compileValue(dir, f);
    return r.ok ? { ok: true, diags: r.compiled.warnings } : { ok: false, diags: r.diagnostics };
  });
}

function expect(name: string, mutate: (f: Json) => void, code: string, path: string, opts: { hint?: RegExp; lock?: unknown; warning?: boolean } = {}) {
  test(`${code} ${name}`, async () => {
    const r = await diagnose(mutate, opts.lock);
    const hit = r.diags.find((d) => d.code === code && formatPath(d.path) === path);
    assert.ok(hit, `expected ${code} at ${path}, got:\n${r.diags.map((d) => `${d.code} ${formatPath(d.path)} ${d.message}`).join("\n")}`);
    assert.is(hit!.severity, opts.warning ? "warning" : "error");
    assert.is(r.ok, !!opts.warning, opts.warning ? "a warning does not stop the compile" : "an error stops the compile");
    if (opts.hint) assert.match(hit!.hint ?? "", opts.hint);
  });
}

test("the fixture fleet itself compiles without diagnostics", async () => {
  const r = await diagnose(() => {});
  assert.ok(r.ok);
  assert.equal(r.diags.map((d) => d.code), []);
});

// Keys
expect("a malformed key in the topology", (f) => (f.meshes.mesh.members.n1.publicKey = "not-a-key"), "TOPO2001", "meshes.mesh.members.n1.publicKey");
expect("a key one byte short", (f) => (f.meshes.mesh.members.n1.publicKey = Buffer.alloc(31, 7).toString("base64")), "TOPO2001", "meshes.mesh.members.n1.publicKey");
expect(
  "a malformed key in topo.lock.json",
  (f) => delete f.meshes.mesh.members.n1.publicKey,
  "TOPO3008",
  "meshes.mesh.members.n1",
  { lock: { version: 1, wireguard: { publicKeys: { n1: { wgmesh: "AAAA" } } } }, hint: /topo keys/ },
);
expect("two members with one key", (f) => (f.meshes.mesh.members.n2.publicKey = KEYS.n1.publicKey), "TOPO3008", "meshes.mesh.members.n2");
expect("a client with a member's key", (f) => (f.hosts.n1.vpnServers.wg0.clients.laptop.publicKey = KEYS.gw.publicKey), "TOPO3008", "hosts.n1.vpnServers.wg0.clients.laptop.publicKey");
expect("a missing member key", (f) => delete f.meshes.mesh.members.n1.publicKey, "TOPO3051", "meshes.mesh.members.n1", { hint: /run `topo keys`/ });
expect("a missing tunnel key", (f) => delete f.hosts.n1.tunnels.warp0.privateKeyFile, "TOPO3051", "hosts.n1.tunnels.warp0", { hint: /topo keys/ });

test("the same far-end key on two tunnels is fine (every WARP client talks to one server key)", async () => {
  const r = await diagnose((f) => {
    f.hosts.n2.tunnels = { warp0: { endpoint: "198.51.100.20:2408", publicKey: KEYS.warp.publicKey, address: "172.16.0.3/32", privateKeyFile: "/run/keys/w.key" } };
  });
  assert.ok(r.ok, r.diags.map((d) => d.message).join("\n"));
});

// Allowed-ips and addresses
expect("two members publishing overlapping subnets", (f) => f.meshes.mesh.members.n2.publishes.push("10.0.0.0/16"), "TOPO3052", "meshes.mesh.members.n2.publishes[1]");
expect("two members with one overlay address", (f) => ((f.meshes.mesh.members.n1.address = "10.100.0.7"), (f.meshes.mesh.members.n2.address = "10.100.0.7")), "TOPO3052", "meshes.mesh.members.n2.address");
expect(
  "two clients with one address",
  (f) => {
    f.hosts.n1.vpnServers.wg0.clients.laptop.address = "10.8.0.9";
    f.hosts.n1.vpnServers.wg0.clients.phone = { publicKey: KEYS.n2.publicKey.replace(/^./, "Q"), address: "10.8.0.9" };
  },
  "TOPO3052",
  "hosts.n1.vpnServers.wg0.clients.phone.address",
);
expect("an overlay address outside the subnet", (f) => (f.meshes.mesh.members.n1.address = "10.200.0.2"), "TOPO3005", "meshes.mesh.members.n1.address");
expect("the network address as overlay address", (f) => (f.meshes.mesh.members.n1.address = "10.100.0.0"), "TOPO3005", "meshes.mesh.members.n1.address");
expect("a client on the server's address", (f) => (f.hosts.n1.vpnServers.wg0.clients.laptop.address = "10.8.0.1"), "TOPO3005", "hosts.n1.vpnServers.wg0.clients.laptop.address");
expect("a subnet too small for the members", (f) => (f.meshes.mesh.subnet = "10.100.0.0/31"), "TOPO3005", "meshes.mesh.subnet");
expect("publishing a bridge the host lacks", (f) => (f.meshes.mesh.members.n1.publishes = ["br1"]), "TOPO3001", "meshes.mesh.members.n1.publishes[0]", { hint: /br0/ });

// Reachability
expect("a hub without endpoint", (f) => delete f.meshes.mesh.members.gw.endpoint, "TOPO3053", "meshes.mesh.members.gw", { hint: /endpoint/ });
expect("a hub behind NAT", (f) => (f.meshes.mesh.members.gw.behindNat = true), "TOPO3053", "meshes.mesh.members.gw");
expect("shape hub without a hub", (f) => delete f.meshes.mesh.hub, "TOPO3053", "meshes.mesh.shape");
expect("a NATed member with keepalive off", (f) => (f.meshes.mesh.members.n2.keepalive = 0), "TOPO3053", "meshes.mesh.members.n2.keepalive");
expect(
  "a full mesh where two members cannot be dialled",
  (f) => {
    f.meshes.mesh.shape = "full";
    delete f.meshes.mesh.hub;
    f.meshes.mesh.members.n1.behindNat = true;
  },
  "TOPO3053",
  "meshes.mesh.members.n2",
);
test("missing keys are not reported while other errors stand (topo keys would refuse anyway)", async () => {
  const r = await diagnose((f) => {
    delete f.meshes.mesh.members.n1.publicKey;
    f.meshes.mesh.members.n1.address = "10.200.0.2";
  });
  assert.equal(r.diags.map((d) => d.code), ["TOPO3005"]);
});

// Tunnels and exits
expect("usedBy naming an unknown container", (f) => (f.hosts.n1.tunnels.warp0.usedBy = ["prv"]), "TOPO3001", "hosts.n1.tunnels.warp0.usedBy[0]", { hint: /priv/ });
expect("exitVia naming an unknown tunnel", (f) => (f.hosts.gw.services.socks.exitVia = "n1.warp1"), "TOPO3001", "hosts.gw.services.socks.exitVia", { hint: /warp0/ });
expect(
  "exitVia to a host sharing no mesh",
  (f) => {
    f.hosts.far = { system: "x86_64-linux", stateVersion: "25.05", uplink: { interface: "eth0", dhcp: true }, services: { p: { proto: "tcp", port: 1, exitVia: "n1.warp0" } } };
  },
  "TOPO3054",
  "hosts.far.services.p.exitVia",
);
expect(
  "a container exiting through two tunnels",
  (f) => {
    f.hosts.n1.tunnels.warp1 = { endpoint: "198.51.100.21:2408", publicKey: KEYS.warp.publicKey, address: "172.16.1.2/32", usedBy: ["priv"], privateKeyFile: "/run/keys/w1.key" };
  },
  "TOPO3054",
  "hosts.n1.tunnels.warp1.usedBy[0]",
);
expect(
  "usedBy contradicting the service's exitVia",
  (f) => {
    f.hosts.n1.tunnels.warp1 = { endpoint: "198.51.100.21:2408", publicKey: KEYS.warp.publicKey, address: "172.16.1.2/32", usedBy: ["gw.socks"], privateKeyFile: "/run/keys/w1.key" };
  },
  "TOPO3054",
  "hosts.n1.tunnels.warp1.usedBy[0]",
);
expect(
  "a tunnel user bound by its source address alone (no role, no chain)",
  (f) => delete f.hosts.n1.containers.priv.role,
  "TOPO3054",
  "hosts.n1.tunnels.warp0.usedBy[0]",
  { hint: /role "privacy"/ },
);
expect(
  "a tunnel user of role service",
  (f) => (f.hosts.n1.containers.priv.role = "service"),
  "TOPO3054",
  "hosts.n1.tunnels.warp0.usedBy[0]",
);
expect("a tunnel on a Linux bridge", (f) => (f.hosts.n1.bridges.br0.kind = "linux"), "TOPO3006", "hosts.n1.tunnels.warp0.bridge");

test.run();
