/**
 * Intent of OVS bridges with container roles and chains: what the guard flows
 * (lower/ovs/guards.ts) and the privacy table (lower/nftables/privacy.ts) must allow and forbid.
 * - a privacy container (or a chain hop) reaches nothing on its bridge but its chain neighbours,
 *   not the host, and reaches the far side of its tunnel;
 * - a management container reaches the host, and neither the other containers nor any tunnel;
 * - nothing else on the bridge reaches a guarded container.
 * Containers without a role switch as the author's flows say: no cells are claimed for them.
 */
import type { OvsAttachmentIR } from "../../ir/ovs.js";
import type { HostIR, OvsBridgeIR, TopologyIR } from "../../ir/types.js";
import { originComment } from "../../lower/origin.js";
import type { IntentCell, IntentEndpoint, IntentMatrix } from "../intent.js";

/** The far side of a host's tunnel (WARP's endpoint network, as the lab plays it). */
export const tunnelEndpoint = (host: string, tunnel: string) => `external.${host}.${tunnel}`;

export function ovsIntent(ir: TopologyIR): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  for (const host of ir.hosts) {
    for (const br of host.bridges.filter((b): b is OvsBridgeIR => b.kind === "ovs")) {
      const containers = br.ovs.attachments.filter((a) => a.kind === "container");
      const tunnels = br.ovs.attachments.filter((a) => a.kind === "tunnel");
      const id = (a: OvsAttachmentIR) => `${host.name}.${a.container}`;
      for (const a of containers) endpoints.push({ id: id(a), kind: "container", host: host.name, address: a.address! });
      for (const t of tunnels) endpoints.push({ id: tunnelEndpoint(host.name, t.name), kind: "external", host: host.name });
      const hops = chainHops(host, br);
      const neighbours = (a: string, b: string) => hops.pairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
      const why = (a: OvsAttachmentIR) => {
        const ch = hops.chainOf.get(a.name);
        if (ch) return `${originComment(ch.origin, ir.source)}: ${a.container} is a hop of chain ${ch.name}`;
        const c = host.containers.find((x) => x.name === a.container)!;
        return `${originComment(c.origin, ir.source)}: ${a.container} has role ${a.role}`;
      };
      const guarded = (a: OvsAttachmentIR) => hops.chainOf.has(a.name) || a.role === "privacy" || a.role === "management";
      const closed = (from: OvsAttachmentIR, to: OvsAttachmentIR, reason: string) => {
        cells.push({ from: id(from), to: id(to), proto: "icmp", allowed: false, reason });
        for (const s of host.containers.find((c) => c.name === to.container)!.services) {
          cells.push({ from: id(from), to: id(to), proto: s.proto, port: s.port, allowed: false, reason });
        }
      };
      for (const a of containers.filter(guarded)) {
        for (const b of containers) {
          if (a === b) continue;
          if (neighbours(a.name, b.name)) {
            cells.push({ from: id(a), to: id(b), proto: "icmp", allowed: true, reason: `${why(a)} next to ${b.container}` });
            cells.push({ from: id(b), to: id(a), proto: "icmp", allowed: true, reason: `${why(a)} next to ${b.container}` });
            continue;
          }
          closed(a, b, why(a));
          closed(b, a, why(a));
        }
        const mgmt = a.role === "management" && !hops.chainOf.has(a.name);
        if (mgmt) {
          const pingable = host.firewall.allowPing || host.firewall.trustedInterfaces.includes(br.name);
          if (pingable) cells.push({ from: id(a), to: host.name, proto: "icmp", allowed: true, reason: why(a) });
          for (const t of tunnels) cells.push({ from: id(a), to: tunnelEndpoint(host.name, t.name), proto: "icmp", allowed: false, reason: `${why(a)}: not through ${t.name}` });
        } else {
          // The privacy table keeps these off every address of the host.
          if (a.role === "privacy" || hops.exitOf.has(a.name)) cells.push({ from: id(a), to: host.name, proto: "icmp", allowed: false, reason: `${why(a)}: not the host` });
          const exit = hops.exitOf.get(a.name) ?? a.tunnel;
          if (exit) cells.push({ from: id(a), to: tunnelEndpoint(host.name, exit), proto: "icmp", allowed: true, reason: `${why(a)}: leaves by ${exit}` });
        }
      }
    }
  }
  return { endpoints, cells };
}

function chainHops(host: HostIR, br: OvsBridgeIR) {
  const pairs: [string, string][] = [];
  const chainOf = new Map<string, HostIR["chains"][number]>();
  const exitOf = new Map<string, string>();
  for (const ch of host.chains.filter((c) => c.bridge === br.name)) {
    const last = ch.hops[ch.hops.length - 1]!;
    ch.hops.forEach((h, i) => {
      const next = ch.hops[i + 1];
      if (h.kind !== "container") return;
      chainOf.set(h.port, ch);
      if (next?.kind === "container") pairs.push([h.port, next.port]);
      // Every hop of a chain that ends in a tunnel leaves by it (through the hops after it).
      if (last.kind === "tunnel") exitOf.set(h.port, last.name);
    });
  }
  return { pairs, chainOf, exitOf };
}
