/**
 * Each concept's facts about what a host forwards and translates (see facts.ts for the order they
 * are composed in). One function per concept; `hostPolicyFacts` gathers them for one host.
 */
import type { HostIR, TopologyIR, VmNetworkIR } from "../../ir/types.js";
import { originComment } from "../../ir/origin.js";
import { networkOf } from "../../net/ipv4.js";
import type { ForwardFact, HostPolicyFacts, IfaceGroup, NatFact } from "./facts.js";

/** Named sets of the VM network (kept by the lowering; the facts name them). */
export const VM_BRIDGES = "vm_bridges";
export const VM_SOURCES = "vm_sources";
export const VM_EXCEPTIONS = "vm_exceptions";

const group = (names: readonly string[], set?: string): IfaceGroup => ({ names: [...names], ...(set ? { set } : {}) });

export function vmBridges(net: VmNetworkIR): IfaceGroup {
  return group(net.vms.map((v) => v.bridge), VM_BRIDGES);
}

/** VM network: sources bound to each VM's subnet; then it owns every packet to or from a VM. */
export function vmNetworkFacts(ir: TopologyIR, host: HostIR): { forward: ForwardFact[]; nat: NatFact[] } {
  const net = host.vmNetwork;
  if (!net || net.vms.length === 0) return { forward: [], nat: [] };
  const why = originComment(net.origin, ir.source);
  const p = net.origin.path;
  const vms = vmBridges(net);
  const uplink = group([net.uplink]);
  const bridgeOf = new Map(net.vms.map((v) => [v.name, v.bridge]));
  const own = (match: ForwardFact["match"], verdict: "accept" | "drop", reason: string): ForwardFact => ({ concept: "vm-network", rank: "own", match, verdict, why: reason });
  const forward: ForwardFact[] = [
    {
      concept: "vm-network",
      rank: "bind",
      match: { iif: vms, spoofed: { set: VM_SOURCES, bound: net.vms.map((v) => ({ iface: v.bridge, subnet: v.subnet })) } },
      verdict: "drop",
      why: `${p}: a VM sends only from its own subnet`,
    },
  ];
  if (net.exceptions.length) {
    const elements = net.exceptions.map((e) => ({ iif: bridgeOf.get(e.from)!, oif: bridgeOf.get(e.to)!, proto: e.proto, port: e.port }));
    forward.push(own({ tuple: { set: VM_EXCEPTIONS, elements } }, "accept", `${p}.exceptions`));
  }
  forward.push(own({ iif: vms, oif: vms }, "drop", `${why}: VMs are isolated from each other`));
  if (net.adminInterface) forward.push(own({ iif: group([net.adminInterface]), oif: vms }, "accept", `${p}.adminInterface: administrators reach every VM`));
  if (net.metadata) {
    forward.push(own({ iif: vms, daddr: net.metadata.address, l4: { proto: "tcp", port: net.metadata.port } }, "accept", originComment(net.metadata.origin, ir.source)));
  }
  forward.push(
    own({ iif: vms, oif: uplink }, "accept", `${p}.uplink: VMs reach the internet (masqueraded)`),
    own({ oif: vms }, "drop", `${p}: nothing else opens a connection to a VM (the internet, other bridges, meshes)`),
    own({ iif: vms }, "drop", `${p}: a VM reaches nothing else through the host`),
  );
  const nat: NatFact[] = [];
  if (net.metadata) {
    const m = net.metadata;
    const mwhy = originComment(m.origin, ir.source);
    const match = { iif: vms, daddr: m.address, l4: { proto: "tcp" as const, port: m.port } };
    nat.push({ concept: "vm-network", hook: "prerouting", match, action: { kind: "dnat", to: `${m.address}:${m.port}` }, why: mwhy });
    nat.push({ concept: "vm-network", hook: "postrouting", match, action: { kind: "masquerade" }, why: mwhy });
  }
  nat.push({ concept: "vm-network", hook: "postrouting", match: { iif: vms, oif: uplink }, action: { kind: "masquerade" }, why: `${p}.uplink` });
  return { forward, nat };
}

/** Bridges (Linux and Open vSwitch): their subnet leaves by the uplink (masqueraded unless `nat: "none"`); the host routes between its bridges. */
export function bridgeFacts(ir: TopologyIR, host: HostIR): { forward: ForwardFact[]; nat: NatFact[] } {
  const forward: ForwardFact[] = [];
  const nat: NatFact[] = [];
  if (!host.forwarding.ipv4) return { forward, nat };
  const uplink = group([host.uplink.interface]);
  const addressed = host.bridges.filter((b) => b.address !== undefined);
  for (const br of addressed) {
    const why = originComment(br.origin, ir.source);
    const match = { iif: group([br.name]), saddr: networkOf(br.address!), oif: uplink };
    forward.push({ concept: "bridge", rank: "route", match, verdict: "accept", why: `${why}: its subnet reaches the internet through the host` });
    if (br.nat === "masquerade") nat.push({ concept: "bridge", hook: "postrouting", match, action: { kind: "masquerade" }, why: `${br.origin.path}.nat` });
  }
  if (addressed.length > 1) {
    const all = group(addressed.map((b) => b.name));
    forward.push({ concept: "bridge", rank: "route", match: { iif: all, oif: all }, verdict: "accept", why: `${host.origin.path}.bridges: the host routes between its bridges` });
  }
  return { forward, nat };
}

/** Meshes: a hub carries spoke-to-spoke traffic; a member's published subnets are reached over the mesh and reach back. */
export function meshFacts(ir: TopologyIR, host: HostIR): ForwardFact[] {
  const out: ForwardFact[] = [];
  for (const mesh of ir.meshes) {
    const me = mesh.members.find((m) => m.host === host.name);
    if (!me) continue;
    const iface = group([mesh.interface]);
    const why = originComment(mesh.origin, ir.source);
    if (mesh.shape === "hub" && mesh.hub === host.name) {
      out.push({ concept: "mesh", rank: "route", match: { iif: iface, oif: iface }, verdict: "accept", why: `${why}: the hub carries traffic between spokes` });
    }
    for (const net of me.publishes) {
      const mwhy = `${originComment(me.origin, ir.source)}: publishes ${net}`;
      out.push({ concept: "mesh", rank: "route", match: { iif: iface, daddr: net }, verdict: "accept", why: mwhy });
      out.push({ concept: "mesh", rank: "route", match: { saddr: net, oif: iface }, verdict: "accept", why: mwhy });
    }
  }
  return out;
}

/** Tunnels: each user's source goes into the tunnel from where it arrives (its bridge, or the mesh it comes over). */
export function tunnelFacts(ir: TopologyIR, host: HostIR): ForwardFact[] {
  const out: ForwardFact[] = [];
  for (const t of host.tunnels) {
    for (const u of t.users) {
      const from = u.kind === "container" ? host.containers.find((c) => c.name === u.ref)?.bridge : u.via;
      if (!from) continue;
      out.push({
        concept: "tunnel",
        rank: "route",
        match: { iif: group([from]), saddr: u.source, oif: group([t.name]) },
        verdict: "accept",
        why: `${originComment(u.origin, ir.source)}: ${u.ref} exits through ${t.name}`,
      });
    }
  }
  return out;
}

/** VPN servers: clients (from the pool) reach what the host routes them to, the internet masqueraded unless `nat: "none"`. */
export function vpnFacts(ir: TopologyIR, host: HostIR): { forward: ForwardFact[]; nat: NatFact[] } {
  const forward: ForwardFact[] = [];
  const nat: NatFact[] = [];
  for (const v of host.vpnServers) {
    if (v.clients.length === 0) continue;
    const iif = group([v.name]);
    const saddr = networkOf(v.pool);
    forward.push({ concept: "vpn", rank: "route", match: { iif, saddr }, verdict: "accept", why: `${originComment(v.origin, ir.source)}: its clients reach what the host routes them to` });
    if (v.nat === "masquerade") {
      nat.push({ concept: "vpn", hook: "postrouting", match: { iif, saddr, oif: group([host.uplink.interface]) }, action: { kind: "masquerade" }, why: `${v.origin.path}.nat` });
    }
  }
  return { forward, nat };
}

/** Every concept's facts for one host, in the documented order of concepts within a rank. */
export function hostPolicyFacts(ir: TopologyIR, host: HostIR): HostPolicyFacts {
  const vm = vmNetworkFacts(ir, host);
  const br = bridgeFacts(ir, host);
  const vpn = vpnFacts(ir, host);
  return {
    forward: [...vm.forward, ...tunnelFacts(ir, host), ...meshFacts(ir, host), ...vpn.forward, ...br.forward],
    nat: [...vm.nat, ...vpn.nat, ...br.nat],
    logForwardDrops: (host.vmNetwork?.logDrops ?? false) || host.firewall.logDrops,
  };
}

