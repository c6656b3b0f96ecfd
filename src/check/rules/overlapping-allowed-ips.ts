import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import { isIPv4Cidr } from "../../model/common.js";
import type { TopologyParsed } from "../../model/topology.js";
import { networkOf, overlappingPairs } from "../../net/ipv4.js";
import { hostEntries } from "../inventory.js";

interface Claim {
  readonly net: string;
  readonly peer: string;
  readonly path: Path;
}

/**
 * The peers of one WireGuard interface claim disjoint addresses. In a mesh each member's
 * allowed-ips are its overlay address and the subnets it publishes; on a VPN server, each client's
 * address. (Exit routes topo adds itself, 0.0.0.0/0 towards one exit peer, are not claims.)
 */
export function overlappingAllowedIps(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (claims: readonly Claim[], where: string) => {
    // Sorted intervals, not all pairs: a mesh has a claim or two per member.
    for (const [i, j] of overlappingPairs(claims.map((c) => c.net))) {
      const a = claims[i]!;
      const b = claims[j]!;
      if (a.peer === b.peer) continue;
      out.push(
        error("TOPO3052", a.path, `${a.net} of ${a.peer} overlaps ${b.net} of ${b.peer} on ${where}`, {
          hint: "WireGuard sends each address to exactly one peer: give each its own addresses and subnets",
          related: [{ message: `${b.peer} claims it here`, path: b.path }],
        }),
      );
    }
  };

  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const claims: Claim[] = [];
    for (const [h, m] of Object.entries(mesh.members).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const base = ["meshes", meshName, "members", h];
      if (m.address) claims.push({ net: `${m.address}/32`, peer: `member \`${h}\``, path: [...base, "address"] });
      (m.publishes ?? []).forEach((p, i) => {
        const cidr = isIPv4Cidr(p) ? p : topo.hosts[h]?.bridges?.[p]?.address;
        if (cidr) claims.push({ net: networkOf(cidr), peer: `member \`${h}\``, path: [...base, "publishes", i] });
      });
    }
    check(claims, `mesh \`${meshName}\``);
  }

  for (const [hostName, host] of hostEntries(topo)) {
    for (const [iface, v] of Object.entries(host.vpnServers ?? {})) {
      const claims: Claim[] = Object.entries(v.clients ?? {}).flatMap(([c, client]) =>
        client.address ? [{ net: `${client.address}/32`, peer: `client \`${c}\``, path: ["hosts", hostName, "vpnServers", iface, "clients", c, "address"] }] : [],
      );
      check(claims, `${iface} of host \`${hostName}\``);
    }
  }
  return out;
}
