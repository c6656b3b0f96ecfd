/**
 * Intent of the host basics: what the host's own firewall, uplink, Linux bridges, forwarding and
 * static routes mean for reachability.
 *
 * - The internet (`external.wan`) reaches a host with a way back (a gateway or DHCP) on each open
 *   TCP/UDP port (both ends of each range), and on ICMP echo when ping is allowed; a closed probe
 *   port is not reached (unless the uplink is trusted). The host reaches the internet (ICMP).
 * - A machine on a Linux bridge's segment (`external.<host>.<bridge>`, behind the bridge's first
 *   port) reaches the host at the bridge address: open ports always, anything when the bridge is a
 *   trusted interface. It reaches the internet through the host when the host forwards IPv4 and
 *   its composed forward chain lets the bridge out (policy/compose/); the internet opens no
 *   connection to it unless that chain says so.
 * - A static route makes its destination (`external.<host>.route:<destination>`) reachable from the
 *   host, when it can be told apart from the default route (another gateway or an on-link route).
 */
import type { FirewallIR, HostIR, LinuxBridgeIR, RouteIR, TopologyIR } from "../../ir/types.js";
import { originComment } from "../../ir/origin.js";
import { addressOf, fromInt, networkOf, parseCidr } from "../../net/ipv4.js";
import type { IntentCell, IntentEndpoint, IntentMatrix } from "../intent.js";
import { decide } from "../compose/decide.js";
import { hostPolicyFacts } from "../compose/forward.js";

export const WAN = "external.wan";
export const lanId = (host: string, bridge: string) => `external.${host}.${bridge}`;
export const routeId = (host: string, destination: string) => `external.${host}.route:${destination}`;

/** Linux bridges with at least one port: a segment a machine can stand on. */
export function lanBridges(host: HostIR): LinuxBridgeIR[] {
  return host.bridges.filter((b): b is LinuxBridgeIR => b.kind === "linux" && b.ports.length > 0);
}

/** Does the internet have a way to the host and back? */
export function wanReachable(host: HostIR): boolean {
  return host.uplink.dhcp || host.uplink.gateway !== undefined;
}

/** Routes whose effect can be observed: not a default route, over the uplink or a Linux bridge with ports, and not via the default gateway. */
export function verifiableRoutes(host: HostIR): RouteIR[] {
  const lans = new Set(lanBridges(host).map((b) => b.name));
  return host.routes.filter(
    (r) => parseCidr(r.destination).prefix > 0 && (r.interface === host.uplink.interface || lans.has(r.interface)) && !(r.gateway !== undefined && r.gateway === host.uplink.gateway),
  );
}

/** The address probed inside a routed destination: its first address (the address itself for a /32). */
export function routeTarget(destination: string): string {
  const c = parseCidr(destination);
  return c.prefix >= 31 ? fromInt(c.address) : fromInt(c.network + 1);
}

/** The lowest port from 9 ("discard") up that the firewall keeps closed: the probe that must not pass. */
export function closedPort(open: readonly number[], ranges: readonly { from: number; to: number }[]): number {
  let p = 9;
  while (open.includes(p) || ranges.some((r) => p >= r.from && p <= r.to)) p++;
  return p;
}

/** Bridge subnets that exist on one host only (an upstream can route each of them back to one place). */
function uniqueLanSubnets(ir: TopologyIR): Set<string> {
  const count = new Map<string, number>();
  for (const h of ir.hosts) for (const b of lanBridges(h)) if (b.address) count.set(networkOf(b.address), (count.get(networkOf(b.address)) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n === 1).map(([s]) => s));
}

export function hostFirewallIntent(ir: TopologyIR): IntentMatrix {
  const endpoints: IntentEndpoint[] = [{ id: WAN, kind: "external", host: "*" }];
  const cells: IntentCell[] = [];
  const uniqueLans = uniqueLanSubnets(ir);
  for (const host of ir.hosts) {
    const fw = host.firewall;
    const trusted = new Set(fw.trustedInterfaces);
    const uplink = host.uplink;
    const facts = hostPolicyFacts(ir, host);
    endpoints.push({ id: host.name, kind: "host", host: host.name, ...(uplink.address ? { address: addressOf(uplink.address) } : {}) });

    if (wanReachable(host)) {
      cells.push(...inbound(ir, WAN, host, uplink.interface, trusted.has(uplink.interface), uplink.address ? addressOf(uplink.address) : undefined));
      cells.push({ from: host.name, to: WAN, proto: "icmp", allowed: true, reason: `default route of ${originComment(uplink.origin, ir.source)}` });
    }

    for (const br of lanBridges(host)) {
      if (!br.address) continue;
      const lan = lanId(host.name, br.name);
      endpoints.push({ id: lan, kind: "external", host: host.name });
      cells.push(...inbound(ir, lan, host, br.name, trusted.has(br.name), addressOf(br.address)));
      if (wanReachable(host) && uplink.address && uniqueLans.has(networkOf(br.address))) {
        // Both ways are what the host's composed forward chain decides (policy/compose/).
        const out = decide(facts.forward, { iif: br.name, oif: uplink.interface, saddr: addressOf(br.address), proto: "icmp" });
        cells.push({
          from: lan,
          to: WAN,
          proto: "icmp",
          allowed: host.forwarding.ipv4 && out.verdict === "accept",
          reason: !host.forwarding.ipv4 ? `${host.origin.path}.forwarding.ipv4 = false` : (out.fact?.why ?? `${host.origin.path}: no fact forwards ${br.name} to the uplink`),
        });
        const back = decide(facts.forward, { iif: uplink.interface, oif: br.name, proto: "icmp" });
        cells.push({
          from: WAN,
          to: lan,
          proto: "icmp",
          allowed: host.forwarding.ipv4 && back.verdict === "accept",
          reason: back.fact?.why ?? `${host.origin.path}: the internet opens no connection into ${br.name} (forward policy drop)`,
        });
      }
    }

    for (const r of verifiableRoutes(host)) {
      const id = routeId(host.name, r.destination);
      const target = routeTarget(r.destination);
      endpoints.push({ id, kind: "external", host: host.name, address: target });
      cells.push({ from: host.name, to: id, proto: "icmp", toAddress: target, allowed: true, reason: `route ${originComment(r.origin, ir.source)}` });
    }
  }
  return { endpoints, cells };
}

/** What `from`, arriving on `iface`, reaches on the host itself. */
export function inbound(ir: TopologyIR, from: string, host: HostIR, iface: string, trusted: boolean, toAddress: string | undefined): IntentCell[] {
  const fw: FirewallIR = host.firewall;
  const where = originComment(fw.origin, ir.source);
  const base = { from, to: host.name, ...(toAddress ? { toAddress } : {}) };
  const out: IntentCell[] = [];
  const trustedWhy = `${fw.origin.path}.trustedInterfaces has ${iface}`;
  for (const proto of ["tcp", "udp"] as const) {
    const open = proto === "tcp" ? fw.tcp : fw.udp;
    const ranges = proto === "tcp" ? fw.tcpRanges : fw.udpRanges;
    for (const port of open) out.push({ ...base, proto, port, allowed: true, reason: `${proto}/${port} open in ${where}` });
    for (const r of ranges) {
      for (const port of new Set([r.from, r.to])) {
        if (!open.includes(port)) out.push({ ...base, proto, port, allowed: true, reason: `${proto} ${r.from}-${r.to} open in ${where}` });
      }
    }
    const closed = closedPort(open, ranges);
    out.push({ ...base, proto, port: closed, allowed: trusted, reason: trusted ? trustedWhy : `${proto}/${closed} not open in ${where} (input policy drop)` });
  }
  out.push({
    ...base,
    proto: "icmp",
    allowed: trusted || fw.allowPing,
    reason: trusted ? trustedWhy : `${fw.origin.path}.allowPing = ${fw.allowPing}`,
  });
  return out;
}
