import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { networkOf, overlaps } from "../../net/ipv4.js";
import { hostEntries } from "../inventory.js";

/**
 * The subnets a host is directly attached to (uplink, bridges) must not overlap: routing between
 * them would be ambiguous. Containers live inside their bridge's subnet, so they are not counted.
 */
export function overlappingSubnets(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    const nets: { net: string; owner: string; path: (string | number)[] }[] = [];
    if (host.uplink.address) nets.push({ net: host.uplink.address, owner: `uplink ${host.uplink.interface}`, path: ["hosts", hostName, "uplink", "address"] });
    for (const [name, br] of Object.entries(host.bridges ?? {})) {
      if (br.address) nets.push({ net: br.address, owner: `bridge ${name}`, path: ["hosts", hostName, "bridges", name, "address"] });
    }
    for (let i = 0; i < nets.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = nets[i]!;
        const b = nets[j]!;
        if (overlaps(a.net, b.net)) {
          out.push(
            error("TOPO3003", a.path, `subnet ${networkOf(a.net)} of ${a.owner} overlaps ${networkOf(b.net)} of ${b.owner} on host \`${hostName}\``, {
              hint: "give each bridge its own subnet",
              related: [{ message: `${b.owner} is declared here`, path: b.path }],
            }),
          );
        }
      }
    }
  }
  // Mesh overlays must not overlap a member's own segments either.
  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {})) {
    for (const member of Object.keys(mesh.members)) {
      const host = topo.hosts[member];
      if (!host) continue;
      for (const [name, br] of Object.entries(host.bridges ?? {})) {
        if (br.address && overlaps(br.address, mesh.subnet)) {
          out.push(
            error("TOPO3003", ["meshes", meshName, "subnet"], `mesh subnet ${mesh.subnet} overlaps bridge ${name} (${networkOf(br.address)}) of host \`${member}\``, {
              related: [{ message: "the bridge is declared here", path: ["hosts", member, "bridges", name, "address"] }],
            }),
          );
        }
      }
    }
  }
  return out;
}
