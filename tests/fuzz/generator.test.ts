/**
 * The random fleet generator: deterministic, always valid, and mixing every concept on one host
 * across the 50 seeds the fuzz run uses. (Verifying them is tests/fuzz/lab.test.ts and `npm run fuzz`.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ALL_CONCEPTS, generateFleet } from "../../src/lab/fuzz/fleet.js";
import { fuzz } from "../../src/verify/fuzz.js";
import { withTmp } from "../helpers/tmp.js";

const SEEDS = Array.from({ length: 50 }, (_, i) => i + 1);

test("same seed, same fleet; another seed, another fleet", () => {
  assert.equal(generateFleet(42), generateFleet(42));
  assert.is.not(JSON.stringify(generateFleet(42)), JSON.stringify(generateFleet(43)));
});

test("200 seeds: every fleet validates and compiles (no generator bug, no crash)", async () => {
  await withTmp(async (dir) => {
    const outcomes = await fuzz({ seed: 1, count: 200, out: dir, compileOnly: true });
    const bad = outcomes.filter((o) => o.status !== "pass").map((o) => `${o.seed} ${o.status}: ${o.first}`);
    assert.equal(bad, []);
  });
});

test("leaving a concept out leaves it out, and the rest still validates", async () => {
  const shape = { ...ALL_CONCEPTS, vms: false, chains: false, dhcp: false };
  for (const seed of SEEDS) {
    const t = generateFleet(seed, shape);
    for (const h of Object.values(t.hosts)) {
      assert.is(h.vmNetwork, undefined);
      assert.is(h.chains, undefined);
      assert.is(h.uplink.dhcp, undefined);
    }
  }
  await withTmp(async (dir) => {
    const outcomes = await fuzz({ seed: 1, count: 20, out: dir, shape, compileOnly: true });
    assert.ok(outcomes.every((o) => o.status === "pass"));
  });
});

test("without long chains, no chain has more than two container hops; the other draws stay the same", () => {
  for (const seed of SEEDS) {
    const all = generateFleet(seed);
    const short = generateFleet(seed, { ...ALL_CONCEPTS, longChains: false });
    assert.equal(Object.keys(short.hosts), Object.keys(all.hosts));
    for (const h of Object.values(short.hosts)) for (const ch of Object.values(h.chains ?? {})) assert.ok(ch.hops.length <= 3, `seed ${seed}`);
  }
});

test("without VPN servers, the fleet is the same but for its servers (their draws are a stream of their own)", () => {
  let servers = 0;
  for (const seed of SEEDS) {
    const all = generateFleet(seed);
    const none = generateFleet(seed, { ...ALL_CONCEPTS, vpn: false });
    for (const [name, h] of Object.entries(all.hosts)) {
      const v = h.vpnServers;
      if (v) servers++;
      const trusted = (h.firewall?.trustedInterfaces ?? []).filter((t) => !(v && t in v));
      const { vpnServers: _, ...rest } = h;
      const bare = { ...rest, firewall: { ...h.firewall, ...(trusted.length ? { trustedInterfaces: trusted } : {}) } };
      if (!trusted.length) delete (bare.firewall as { trustedInterfaces?: unknown }).trustedInterfaces;
      assert.equal(bare, none.hosts[name], `seed ${seed} host ${name}`);
      for (const s of Object.values(v ?? {})) assert.ok(Object.keys(s.clients ?? {}).length >= 1 && Object.keys(s.clients ?? {}).length <= 2);
    }
    assert.equal({ ...all, hosts: undefined }, { ...none, hosts: undefined });
  }
  assert.ok(servers > 0, "some of the 50 seeds have a VPN server");
});

test("the 50 fuzz seeds mix every concept, several on one host", () => {
  const seen = new Map<string, number>();
  const saw = (what: string, yes: boolean) => yes && seen.set(what, (seen.get(what) ?? 0) + 1);
  for (const seed of SEEDS) {
    const t = generateFleet(seed);
    const mesh = Object.values(t.meshes ?? {})[0];
    for (const [name, h] of Object.entries(t.hosts)) {
      const kinds = new Set(Object.values(h.bridges ?? {}).map((b) => b.kind));
      const roles = new Set(Object.values(h.containers ?? {}).map((c) => c.role));
      saw("VM host that is the mesh hub", !!h.vmNetwork && mesh?.hub === name);
      saw("VM host with a Linux bridge of containers", !!h.vmNetwork && kinds.has("linux"));
      saw("VM host with an OVS bridge", !!h.vmNetwork && kinds.has("ovs"));
      saw("Linux and OVS bridges on one host", kinds.has("linux") && kinds.has("ovs"));
      for (const ch of Object.values(h.chains ?? {})) saw(`chain of ${ch.hops.length} hops`, true);
      saw("DHCP uplink", !!h.uplink.dhcp);
      saw("static spoke behind NAT", !!mesh?.members[name]?.behindNat && !h.uplink.dhcp);
      saw("service exiting through another host's tunnel", Object.values(h.services ?? {}).some((s) => s.exitVia));
      for (const r of ["privacy", "management", "service"]) saw(`role ${r}`, roles.has(r as never));
      saw("UDP exception", (h.vmNetwork?.exceptions ?? []).some((e) => e.proto === "udp"));
      saw("TCP exception", (h.vmNetwork?.exceptions ?? []).some((e) => e.proto === "tcp"));
      saw("host services", (h.vmNetwork?.hostServices ?? []).length > 0);
      saw("VM network ssh port", h.vmNetwork?.sshPort !== undefined);
      for (const v of Object.values(h.vpnServers ?? {})) {
        saw(`VPN server with ${Object.keys(v.clients ?? {}).length} clients`, true);
        saw(`VPN server with nat ${v.nat ?? "masquerade"}`, true);
        saw("VPN server beside VMs or containers", !!h.vmNetwork || !!h.containers);
      }
    }
    saw("hub mesh", mesh?.shape === "hub");
    saw("full mesh", mesh?.shape === "full");
    saw("expectations", (t.expectations ?? []).length > 0);
  }
  const wanted = [
    "VM host that is the mesh hub",
    "VM host with a Linux bridge of containers",
    "VM host with an OVS bridge",
    "Linux and OVS bridges on one host",
    "chain of 2 hops",
    "chain of 3 hops",
    "chain of 4 hops",
    "DHCP uplink",
    "static spoke behind NAT",
    "service exiting through another host's tunnel",
    "role privacy",
    "role management",
    "role service",
    "UDP exception",
    "TCP exception",
    "host services",
    "VM network ssh port",
    "VPN server with 1 clients",
    "VPN server with 2 clients",
    "VPN server with nat masquerade",
    "VPN server with nat none",
    "VPN server beside VMs or containers",
    "hub mesh",
    "full mesh",
    "expectations",
  ];
  assert.equal(wanted.filter((w) => !seen.has(w)), [], JSON.stringify(Object.fromEntries(seen)));
});

test.run();
