/**
 * What WireGuard promises, for verify and diff:
 * - mesh: every member reaches every other member's overlay address (probed at that address, so
 *   only the tunnel can carry it), and the containers on the subnets another member publishes;
 * - tunnels with a default route: beyond the tunnel (`external.<host>.<tunnel>`, what the far end
 *   leads to) is reached by the containers in `usedBy` and by nothing else of the host: neither
 *   its other containers nor the host's own traffic. (A service across a mesh exits from its
 *   host's overlay address, a source a probe cannot pick; the lab component checks it.)
 * Containers that exit through a tunnel are left out of the mesh cells: where their packets go is
 * the tunnel's business.
 */
import { addressOf, contains } from "../../net/ipv4.js";
import type { TopologyIR } from "../../ir/types.js";
import { originComment } from "../../ir/origin.js";
import type { IntentCell, IntentEndpoint, IntentMatrix, IntentScope } from "../intent.js";

/** The world a tunnel leads to, as an endpoint id. */
export const beyondTunnelId = (host: string, tunnel: string) => `external.${host}.${tunnel}`;

export function wireguardIntent(ir: TopologyIR, scope?: IntentScope): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  const hosts = new Map(ir.hosts.map((h) => [h.name, h]));
  const hostOf = (name: string) => hosts.get(name)!;
  const exiting = (host: string) => new Set(hostOf(host).tunnels.flatMap((t) => t.users.filter((u) => u.kind === "container").map((u) => u.ref)));

  for (const mesh of ir.meshes) {
    // Within a scope, only the members it asks about as sources: all pairs of members is quadratic.
    const sources = scope ? mesh.members.filter((a) => scope.from(a.host)) : mesh.members;
    for (const b of mesh.members) {
      const hostB = hostOf(b.host);
      endpoints.push({ id: b.host, kind: "host", host: b.host });
      const leaving = exiting(b.host);
      const published = hostB.containers.filter((c) => !leaving.has(c.name) && b.publishes.some((net) => contains(net, c.address)));
      for (const c of published) endpoints.push({ id: `${b.host}.${c.name}`, kind: "container", host: b.host, address: addressOf(c.address) });
      for (const a of sources) {
        if (a.host === b.host) continue;
        if (hostB.firewall.allowPing) {
          cells.push({ from: a.host, to: b.host, toAddress: b.address, proto: "icmp", allowed: true, reason: `${originComment(mesh.origin, ir.source)}: ${b.host}'s overlay address over ${mesh.interface}` });
        }
        for (const c of published) {
          cells.push({ from: a.host, to: `${b.host}.${c.name}`, proto: "icmp", allowed: true, reason: `${originComment(b.origin, ir.source)}: publishes ${b.publishes.join(", ")}` });
        }
      }
    }
  }

  for (const host of ir.hosts) {
    for (const t of host.tunnels.filter((x) => x.allowedIPs.includes("0.0.0.0/0"))) {
      const beyond = beyondTunnelId(host.name, t.name);
      endpoints.push({ id: beyond, kind: "external", host: host.name });
      const users = new Set(t.users.filter((u) => u.kind === "container").map((u) => u.ref));
      const why = originComment(t.origin, ir.source);
      cells.push({ from: host.name, to: beyond, proto: "icmp", allowed: false, reason: `${why}: the host's own traffic keeps its default route` });
      for (const c of host.containers) {
        endpoints.push({ id: `${host.name}.${c.name}`, kind: "container", host: host.name, address: addressOf(c.address) });
        cells.push({
          from: `${host.name}.${c.name}`,
          to: beyond,
          proto: "icmp",
          allowed: users.has(c.name),
          reason: users.has(c.name) ? `${why}: usedBy ${c.name}` : `${why}: ${c.name} is not in usedBy`,
        });
      }
      for (const u of t.users.filter((x) => x.kind === "remote")) {
        const [userHost] = u.ref.split(".") as [string];
        cells.push({ from: userHost, to: beyond, proto: "icmp", allowed: false, reason: `${originComment(u.origin, ir.source)}: only ${u.ref}'s source ${u.source} exits there, not the host's own address` });
      }
    }
  }
  return { endpoints, cells };
}
