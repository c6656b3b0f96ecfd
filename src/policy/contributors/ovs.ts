/**
 * Intent of OVS bridges with container roles and chains, read from the per-port facts the guard
 * flows are made of (policy/compose/ports.ts): what the guard flows
 * (lower/ovs/guards.ts) and the privacy table (lower/nftables/privacy.ts) must allow and forbid.
 * - a privacy container (or a chain hop) reaches nothing on its bridge but its chain neighbours,
 *   not the host, and reaches the far side of its tunnel;
 * - a management container reaches the host, and neither the other containers nor any tunnel;
 * - nothing else on the bridge reaches a guarded container.
 * Containers without a role switch as the author's flows say: no cells are claimed for them.
 */
import type { OvsAttachmentIR } from "../../ir/ovs.js";
import type { HostIR, OvsBridgeIR, TopologyIR } from "../../ir/types.js";
import { originComment } from "../../ir/origin.js";
import type { IntentCell, IntentEndpoint, IntentMatrix, IntentScope } from "../intent.js";
import { portGuards } from "../compose/ports.js";

/** The far side of a host's tunnel (WARP's endpoint network, as the lab plays it). */
export const tunnelEndpoint = (host: string, tunnel: string) => `external.${host}.${tunnel}`;

export function ovsIntent(ir: TopologyIR, scope?: IntentScope): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  for (const host of ir.hosts) {
    for (const br of host.bridges.filter((b): b is OvsBridgeIR => b.kind === "ovs")) {
      const containers = br.ovs.attachments.filter((a) => a.kind === "container");
      const tunnels = br.ovs.attachments.filter((a) => a.kind === "tunnel");
      const id = (a: OvsAttachmentIR) => `${host.name}.${a.container}`;
      for (const a of containers) endpoints.push({ id: id(a), kind: "container", host: host.name, address: a.address! });
      for (const t of tunnels) endpoints.push({ id: tunnelEndpoint(host.name, t.name), kind: "external", host: host.name });
      // The same per-port facts the switch's guard flows are made of (policy/compose/ports.ts).
      const guards = new Map(portGuards(host, br).map((g) => [g.att.name, g]));
      const neighbours = (a: string, b: string) => {
        const g = guards.get(a);
        const h = guards.get(b);
        return g?.chain?.next?.port === b || g?.chain?.prev?.port === b || h?.chain?.next?.port === a || h?.chain?.prev?.port === a;
      };
      const why = (a: OvsAttachmentIR) => {
        const ch = guards.get(a.name)?.chain?.ir;
        if (ch) return `${originComment(ch.origin, ir.source)}: ${a.container} is a hop of chain ${ch.name}`;
        const c = host.containers.find((x) => x.name === a.container)!;
        return `${originComment(c.origin, ir.source)}: ${a.container} has role ${a.role}`;
      };
      const guarded = (a: OvsAttachmentIR) => guards.has(a.name);
      const closed = (from: OvsAttachmentIR, to: OvsAttachmentIR, reason: string) => {
        cells.push({ from: id(from), to: id(to), proto: "icmp", allowed: false, reason });
        for (const s of host.containers.find((c) => c.name === to.container)!.services) {
          cells.push({ from: id(from), to: id(to), proto: s.proto, port: s.port, allowed: false, reason });
        }
      };
      for (const a of containers.filter(guarded)) {
        for (const b of containers) {
          if (a === b) continue;
          if (scope && !scope.has(id(a), id(b)) && !scope.has(id(b), id(a))) continue;
          if (neighbours(a.name, b.name)) {
            cells.push({ from: id(a), to: id(b), proto: "icmp", allowed: true, reason: `${why(a)} next to ${b.container}` });
            cells.push({ from: id(b), to: id(a), proto: "icmp", allowed: true, reason: `${why(a)} next to ${b.container}` });
            continue;
          }
          closed(a, b, why(a));
          closed(b, a, why(a));
        }
        const g = guards.get(a.name)!;
        if (g.kind === "management") {
          const pingable = host.firewall.allowPing || host.firewall.trustedInterfaces.includes(br.name);
          if (pingable) cells.push({ from: id(a), to: host.name, proto: "icmp", allowed: true, reason: why(a) });
          for (const t of tunnels) cells.push({ from: id(a), to: tunnelEndpoint(host.name, t.name), proto: "icmp", allowed: false, reason: `${why(a)}: not through ${t.name}` });
        } else {
          // The privacy table keeps these off every address of the host.
          if (a.role === "privacy" || (g.chain && g.exit)) cells.push({ from: id(a), to: host.name, proto: "icmp", allowed: false, reason: `${why(a)}: not the host` });
          const exit = g.exit ?? a.tunnel;
          if (exit) cells.push({ from: id(a), to: tunnelEndpoint(host.name, exit), proto: "icmp", allowed: true, reason: `${why(a)}: leaves by ${exit}` });
        }
      }
    }
  }
  return { endpoints, cells };
}
