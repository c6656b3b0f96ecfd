/**
 * What a WireGuard VPN server promises its road-warrior clients (full tunnel: the client sends
 * everything through it), read from the host's composed policy (policy/compose/) and its firewall:
 * - a client reaches the host at the server's address as the host's input chain says (open ports,
 *   ping, everything when the VPN interface is trusted);
 * - a client reaches the internet (`external.wan`, over ICMP and UDP) when the forward chain lets
 *   its address out by the uplink and the answer can come back: the pool is masqueraded (a NAT
 *   fact), or it leaves as is (`nat: "none"`) and the provider routes the pool back to the host
 *   (`routedPools`: the lab's upstream does exactly that); with `nat: "none"` the internet reaches
 *   the client only where the forward chain lets it in;
 * - a client reaches the host's containers, VMs and LAN machines as the forward chain says (a VM
 *   network owns its VMs: denied). Containers whose way back is not the host (a chain hop sends
 *   to the next hop) are left out: where their answers go is the chain's business;
 * - a client reaches the next client of its server as the forward chain says (one pair per
 *   client, not all pairs);
 * - adversarial (`vpnAdversarialIntent`): a client sending from an address that is not its own
 *   (another client's, one on no subnet) gets nothing delivered: the server's allowed-ips for
 *   that client hold its address only (WireGuard's cryptokey routing).
 * Only servers a client can dial get cells: an uplink address (static or leased) with a way out.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import type { VpnClientIR, VpnServerIR } from "../../ir/wireguard.js";
import { originComment } from "../../ir/origin.js";
import { addressOf, contains, fromInt, networkOf, parseCidr } from "../../net/ipv4.js";
import { decide, matches } from "../compose/decide.js";
import { hostPolicyFacts } from "../compose/forward.js";
import type { PacketClass } from "../compose/facts.js";
import type { IntentCell, IntentEndpoint, IntentMatrix, IntentScope } from "../intent.js";
import { inbound, lanBridges, WAN, wanReachable } from "./host-firewall.js";
import { OFF_SUBNET, WAN_UDP_PROBE_PORT } from "./adversarial.js";

/** A road-warrior client of a host's VPN server, as an endpoint id. */
export const vpnClientId = (host: string, iface: string, client: string) => `external.${host}.${iface}.${client}`;

/**
 * Servers a client can dial, with clients: the host's uplink has an address with a way out, static
 * or a DHCP lease (clients find a lease as road warriors do, by a name that follows it).
 */
export function dialableServers(host: HostIR): VpnServerIR[] {
  return (host.uplink.address || host.uplink.dhcp) && wanReachable(host) ? host.vpnServers.filter((v) => v.clients.length > 0) : [];
}

/**
 * Pools the provider routes back to their host: sent un-NATed (`nat: "none"`) from a host with a
 * static uplink (a route needs a fixed next hop: not a DHCP lease), and on no other host of the
 * fleet (a provider routes a prefix to one place).
 */
export function routedPools(ir: TopologyIR): Map<string, HostIR> {
  const count = new Map<string, number>();
  for (const h of ir.hosts) for (const v of h.vpnServers) count.set(v.pool, (count.get(v.pool) ?? 0) + 1);
  const out = new Map<string, HostIR>();
  for (const h of ir.hosts) {
    if (h.uplink.dhcp || !h.uplink.address) continue;
    for (const v of dialableServers(h)) if (v.nat === "none" && count.get(v.pool) === 1) out.set(v.pool, h);
  }
  return out;
}

export function vpnServerIntent(ir: TopologyIR, scope?: IntentScope): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  const routed = routedPools(ir);
  for (const host of ir.hosts) {
    const servers = dialableServers(host);
    if (!servers.length) continue;
    const facts = hostPolicyFacts(ir, host);
    const uplink = host.uplink.interface;
    const fwd = (p: PacketClass) => {
      if (!host.forwarding.ipv4) return { ok: false, why: `${host.origin.path}.forwarding.ipv4 = false` };
      const d = decide(facts.forward, p);
      return { ok: d.verdict === "accept", why: d.fact?.why ?? `${host.origin.path}: no fact forwards ${p.iif} to ${p.oif} (forward policy drop)` };
    };
    for (const v of servers) {
      const why = originComment(v.origin, ir.source);
      v.clients.forEach((c, i) => {
        const id = vpnClientId(host.name, v.name, c.name);
        endpoints.push({ id, kind: "external", host: host.name, address: c.address });
        const want = (to: string) => !scope || scope.has(id, to);
        const push = (cell: Omit<IntentCell, "from">) => want(cell.to) && cells.push({ from: id, ...cell });

        // The host itself, at the server's address (through the tunnel), as its input chain says.
        if (want(host.name)) cells.push(...inbound(ir, id, host, v.name, host.firewall.trustedInterfaces.includes(v.name), addressOf(v.address)));

        // The internet: out by the uplink, and back (masqueraded, or the pool routed to the host).
        for (const proto of ["icmp", "udp"] as const) {
          const p: PacketClass = { iif: v.name, oif: uplink, saddr: c.address, proto, ...(proto === "udp" ? { port: WAN_UDP_PROBE_PORT } : {}) };
          const out = fwd(p);
          const nat = facts.nat.find((n) => n.hook === "postrouting" && n.action.kind === "masquerade" && matches(n.match, p));
          const back = nat ? `masqueraded (${nat.why})` : routed.get(v.pool) === host ? `${v.origin.path}.nat = "none": the provider routes ${v.pool} back` : undefined;
          push({
            to: WAN,
            proto,
            ...(proto === "udp" ? { port: WAN_UDP_PROBE_PORT } : {}),
            allowed: out.ok && back !== undefined,
            reason: !out.ok ? out.why : back ? `${out.why}; ${back}` : `${why}: ${c.address} leaves un-NATed and nothing routes ${v.pool} back`,
          });
        }
        if (routed.get(v.pool) === host && (!scope || scope.has(WAN, id))) {
          const inward = fwd({ iif: uplink, oif: v.name, daddr: c.address, proto: "icmp" });
          cells.push({ from: WAN, to: id, proto: "icmp", allowed: inward.ok, reason: inward.ok ? inward.why : `${why}: the internet opens no connection to a client (${inward.why})` });
        }

        // The host's guests and LAN machines: as the forward chain decides.
        for (const ct of host.containers) {
          const br = host.bridges.find((b) => b.name === ct.bridge);
          // Only containers that answer through the host (a chain hop answers through the next hop).
          if (!br?.address || !ct.gateway || ct.gateway !== addressOf(br.address)) continue;
          const to = `${host.name}.${ct.name}`;
          const r = fwd({ iif: v.name, oif: ct.bridge, saddr: c.address, daddr: addressOf(ct.address), proto: "icmp" });
          push({ to, proto: "icmp", allowed: r.ok, reason: r.why });
        }
        for (const vm of host.vmNetwork?.vms ?? []) {
          const r = fwd({ iif: v.name, oif: vm.bridge, saddr: c.address, daddr: addressOf(vm.guestAddress), proto: "icmp" });
          push({ to: `${host.name}.${vm.name}`, proto: "icmp", allowed: r.ok, reason: r.why });
        }
        for (const br of lanBridges(host)) {
          if (!br.address) continue;
          const r = fwd({ iif: v.name, oif: br.name, saddr: c.address, proto: "icmp" });
          push({ to: `external.${host.name}.${br.name}`, proto: "icmp", allowed: r.ok, reason: r.why });
        }

        // The next client of the same server (through the server: WireGuard does not connect clients itself).
        const next = v.clients[(i + 1) % v.clients.length]!;
        if (next !== c) {
          const r = fwd({ iif: v.name, oif: v.name, saddr: c.address, daddr: next.address, proto: "icmp" });
          push({ to: vpnClientId(host.name, v.name, next.name), proto: "icmp", allowed: r.ok, reason: r.why });
        }
      });
    }
  }
  return { endpoints, cells };
}

/**
 * Spoofed sources from VPN clients: every UDP cell a client is allowed, sent again from another
 * client's address (or a pool address no client holds) and from one on no subnet. The server's
 * allowed-ips for the client are its own address: WireGuard drops the rest after decryption.
 */
export function vpnAdversarialIntent(ir: TopologyIR, base: IntentMatrix): IntentCell[] {
  const clients = new Map<string, { server: VpnServerIR; client: VpnClientIR }>();
  for (const h of ir.hosts) for (const v of dialableServers(h)) for (const c of v.clients) clients.set(vpnClientId(h.name, v.name, c.name), { server: v, client: c });
  const out: IntentCell[] = [];
  for (const cell of base.cells) {
    const who = clients.get(cell.from);
    if (!who || !cell.allowed || cell.proto !== "udp" || cell.source) continue;
    const { server, client } = who;
    const other = server.clients.find((x) => x !== client);
    const fakes = [
      other ? { address: other.address, whose: `${other.name}'s address` } : { address: freePoolAddress(server), whose: `an address of ${server.pool} no client holds` },
      { address: OFF_SUBNET, whose: "an address on no subnet" },
    ];
    for (const f of fakes) {
      out.push({
        ...cell,
        variant: `spoofed ${f.address}`,
        source: { address: `${f.address}/32`, spoofed: true },
        allowed: false,
        reason: `spoofed source ${f.address} (${f.whose}): ${server.origin.path}.clients.${client.name} is allowed ${client.address}/32 only (WireGuard's cryptokey routing); unspoofed: ${cell.reason}`,
      });
    }
  }
  return out;
}

/** The highest address of the pool that neither the server nor a client holds. */
function freePoolAddress(v: VpnServerIR): string {
  const p = parseCidr(networkOf(v.pool));
  const held = new Set([addressOf(v.address), ...v.clients.map((c) => c.address)]);
  for (let a = p.network + p.size - 2; a > p.network; a--) if (!held.has(fromInt(a)) && contains(v.pool, fromInt(a))) return fromInt(a);
  return OFF_SUBNET;
}
