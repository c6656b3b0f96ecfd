/**
 * The flows topo derives from container roles and chains: isolation and forced paths. They use
 * priorities the author cannot (60000 and up), so no hand-written flow can undo them, and they
 * fail closed: a guarded port's traffic that no guard lets through is dropped, and a hop whose
 * next hop is down sends into a dead port rather than anywhere else.
 *
 * A guarded port is bound to its sources (what the container cannot change is its port): IP and ARP
 * from P pass only with P's own address as source, or, for a hop that relays a chain, the
 * addresses of the hops before it. A container that renumbers itself reaches nothing.
 *
 * Ladder (table 0), for a guarded port P with address A, bridge address G and subnet S:
 *   65200  ICMP redirects from a hop that relays a chain: drop (the hop before must not be sent
 *          around it; the forced path is the point)
 *   65100  return path from the next hop of a chain to P
 *   65050  DNS of a chain's first hop to the chain's resolver (then as 63000)
 *   65040  other DNS of that hop: drop
 *   65000  ARP from P (source A) for its way out (G, or the next hop), and, for a chain's entrance,
 *          to G (its answers to the host, which delivers the replies); ARP and IP from the host to P
 *   64500  management: IP to the host's bridge address; a chain hop: IP to the next hop itself
 *   64000  IP from P to the bridge subnet: drop (nothing on the bridge)
 *   63000  IP from P with one of its sources: to its way out (the host, or the next hop)
 *   62000  anything else from P: drop
 *   61000  ARP for A, IP to A, from anyone else: drop
 * A tunnel is reached through the host (LOCAL): the host's routing and topo's nftables guard
 * (lower/nftables/privacy.ts) decide that P's traffic leaves by the tunnel and by nothing else.
 */
import type { ChainIR, FlowActionIR, FlowIR, FlowMatchIR } from "../../ir/ovs.js";
import { portGuards, type PortGuardFact } from "../../policy/compose/ports.js";
import type { HostIR, OvsBridgeIR, Origin } from "../../ir/types.js";
import { addressOf, networkOf } from "../../net/ipv4.js";
import { COOKIE } from "./cookies.js";

export const PRIO = {
  noRedirect: 65200,
  chainReturn: 65100,
  dnsAllow: 65050,
  dnsDrop: 65040,
  wayOut: 65000,
  mgmtHost: 64500,
  subnetDrop: 64000,
  forward: 63000,
  dropFrom: 62000,
  dropTo: 61000,
} as const;

export interface GuardFlow {
  readonly comment: string;
  readonly flow: FlowIR;
}

export function guardFlows(host: HostIR, br: OvsBridgeIR): GuardFlow[] {
  const atts = new Map(br.ovs.attachments.map((a) => [a.name, a]));
  const gw = br.address ? addressOf(br.address) : undefined;
  const subnet = br.address ? networkOf(br.address) : undefined;
  const out: GuardFlow[] = [];
  const guards = portGuards(host, br).map((g) => ({ ...g, ...describe(g) }));

  for (const g of guards) {
    const prev = g.chain?.prev;
    if (!prev) continue;
    // The way back: the next hop returns traffic to this one.
    const p = atts.get(prev.port)!;
    const note = `${g.why} (return ${g.att.container} -> ${prev.name})`;
    out.push(
      flow(g.origin, note, g.cookie, PRIO.chainReturn, { proto: "arp", inPort: g.att.name, dst: p.address! }, [{ kind: "output", port: p.name }]),
      flow(g.origin, note, g.cookie, PRIO.chainReturn, { proto: "ip", inPort: g.att.name, dst: p.address! }, [{ kind: "output", port: p.name }]),
    );
  }

  for (const g of guards) {
    const p = g.att.name;
    const a = g.att.address!;
    const f = (prio: number, m: FlowMatchIR, actions: FlowActionIR[], note?: string) => out.push(flow(g.origin, note ? `${g.why} (${note})` : g.why, g.cookie, prio, m, actions));
    const toWayOut: FlowActionIR[] = g.wayOut.kind === "host" ? [{ kind: "local" }] : [{ kind: "output", port: g.wayOut.port }];
    // Resolve the way out, and only that (with its own address: ARP is bound to the port too).
    if (g.wayOut.kind === "hop") f(PRIO.wayOut, { proto: "arp", inPort: p, src: a, dst: g.wayOut.address }, toWayOut, "ARP for the next hop");
    else if (gw) f(PRIO.wayOut, { proto: "arp", inPort: p, src: a, dst: gw }, toWayOut, "ARP for the gateway");
    // A chain's entrance sends through the next hop, but the host delivers the replies: it answers the host's ARP.
    if (g.wayOut.kind === "hop" && g.fromHost && gw) f(PRIO.wayOut, { proto: "arp", inPort: p, src: a, dst: gw }, [{ kind: "local" }], "ARP answers to the host");
    if (g.relays) f(PRIO.noRedirect, { proto: "icmp", inPort: p, icmpType: 5 }, [{ kind: "drop" }], "no ICMP redirect around the forced hop");
    if (g.dns) {
      for (const proto of ["udp", "tcp"] as const) {
        f(PRIO.dnsAllow, { proto, inPort: p, src: a, dst: g.dns, dstPort: 53 }, toWayOut, "DNS to the chain's resolver");
        f(PRIO.dnsDrop, { proto, inPort: p, dstPort: 53 }, [{ kind: "drop" }], "any other DNS");
      }
    }
    if (g.kind === "management" && gw) f(PRIO.mgmtHost, { proto: "ip", inPort: p, src: a, dst: gw }, [{ kind: "local" }], "the host");
    for (const src of g.sources) {
      const whose = src === a ? "" : ` (relayed from ${src})`;
      if (g.wayOut.kind === "hop") f(PRIO.mgmtHost, { proto: "ip", inPort: p, src, dst: g.wayOut.address }, toWayOut, `the next hop itself${whose}`);
    }
    if (subnet) f(PRIO.subnetDrop, { proto: "ip", inPort: p, dst: subnet }, [{ kind: "drop" }], "nothing else on the bridge");
    for (const src of g.sources) {
      const whose = src === a ? "" : `, relayed from ${src}`;
      f(PRIO.forward, { proto: "ip", inPort: p, src }, toWayOut, g.wayOut.kind === "host" ? `out through the host${whose}` : `through ${g.wayOut.port}${whose}`);
    }
    f(PRIO.dropFrom, { inPort: p }, [{ kind: "drop" }], "anything else, from any other source too");
    if (g.fromHost) {
      f(PRIO.wayOut, { proto: "arp", inPort: br.name, dst: a }, [{ kind: "output", port: p }], "the host resolves it");
      f(PRIO.wayOut, { proto: "ip", inPort: br.name, dst: a }, [{ kind: "output", port: p }], "the host reaches it");
    }
    f(PRIO.dropTo, { proto: "arp", dst: a }, [{ kind: "drop" }], "nobody else resolves it");
    f(PRIO.dropTo, { proto: "ip", dst: a }, [{ kind: "drop" }], "nobody else reaches it");
  }
  return out;
}

/** The comment and cookie of a guard's flows. */
function describe(g: PortGuardFact): { why: string; cookie: string } {
  if (g.chain) return { why: `chain ${g.chain.ir.name}: ${hopList(g.chain.ir)}`, cookie: COOKIE.chain(g.chain.index) };
  return {
    why: g.kind === "privacy" ? `${g.att.container} (privacy): only its tunnel, through the host` : `${g.att.container} (management): only the host`,
    cookie: COOKIE.isolation,
  };
}

function flow(origin: Origin, comment: string, cookie: string, priority: number, match: FlowMatchIR, actions: FlowActionIR[]): GuardFlow {
  return { comment, flow: { origin, class: cookie === COOKIE.isolation ? "isolation" : "chain", table: 0, priority, cookie, match, actions } };
}

export function hopList(ch: ChainIR): string {
  return ch.hops.map((h) => h.name).join(" -> ");
}
