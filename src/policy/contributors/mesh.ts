/**
 * What a WireGuard mesh promises: every member reaches every other member's overlay address, and
 * every member reaches the containers on the subnets another member publishes. Containers that
 * exit through a tunnel are left out: where their packets go is the tunnel's (and the bridge's)
 * business, not the mesh's.
 */
import { contains } from "../../net/ipv4.js";
import type { TopologyIR } from "../../ir/types.js";
import { originComment } from "../../lower/origin.js";
import type { IntentCell, IntentEndpoint, IntentMatrix } from "../intent.js";

export function meshIntent(ir: TopologyIR): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  const hostOf = (name: string) => ir.hosts.find((h) => h.name === name)!;
  for (const mesh of ir.meshes) {
    for (const b of mesh.members) {
      const hostB = hostOf(b.host);
      endpoints.push({ id: b.host, kind: "host", host: b.host });
      const exiting = new Set(hostB.tunnels.flatMap((t) => t.users.filter((u) => u.kind === "container").map((u) => u.ref)));
      const published = hostB.containers.filter((c) => !exiting.has(c.name) && b.publishes.some((net) => contains(net, c.address)));
      for (const c of published) endpoints.push({ id: `${b.host}.${c.name}`, kind: "container", host: b.host, address: c.address.split("/")[0]! });
      for (const a of mesh.members) {
        if (a.host === b.host) continue;
        if (hostB.firewall.allowPing) {
          cells.push({ from: a.host, to: b.host, proto: "icmp", allowed: true, reason: `${originComment(mesh.origin, ir.source)}: ${b.host} at ${b.address} over ${mesh.interface}` });
        }
        for (const c of published) {
          cells.push({ from: a.host, to: `${b.host}.${c.name}`, proto: "icmp", allowed: true, reason: `${originComment(b.origin, ir.source)}: publishes ${b.publishes.join(", ")}` });
        }
      }
    }
  }
  return { endpoints, cells };
}
