import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import { isIPv4Cidr } from "../../model/common.js";
import type { TopologyParsed } from "../../model/topology.js";
import { contains, networkOf, parseCidr, toInt } from "../../net/ipv4.js";
import { closest } from "../suggest.js";
import { hostEntries } from "../inventory.js";

/**
 * WireGuard addresses lie where they belong: overlay addresses inside the mesh subnet, client
 * addresses inside the pool (never the network, broadcast or the server's own address), there is
 * room for everyone, and a published bridge exists and has a subnet.
 */
export function wireguardAddresses(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const inside = (net: string, ip: string, path: Path, what: string, reserved: { ip: number; why: string }[]) => {
    const c = parseCidr(net);
    const a = toInt(ip);
    if (!contains(net, ip)) {
      out.push(error("TOPO3005", path, `${what} ${ip} is not in ${networkOf(net)}`, { hint: `pick an address inside ${networkOf(net)}, or leave it out to have one allocated` }));
      return;
    }
    const r = reserved.find((x) => x.ip === a) ?? (c.size > 2 && (a === c.network || a === c.network + c.size - 1) ? { why: a === c.network ? "the network address" : "the broadcast address" } : undefined);
    if (r) out.push(error("TOPO3005", path, `${what} ${ip} is ${r.why} of ${networkOf(net)}`, { hint: "leave the address out to have a free one allocated" }));
  };
  const room = (net: string, count: number, path: Path, what: string, reserve: number) => {
    const c = parseCidr(net);
    const usable = (c.size > 2 ? c.size - 2 : c.size) - reserve;
    if (count > usable) out.push(error("TOPO3005", path, `${networkOf(net)} has room for ${usable} ${what}, but ${count} are declared`, { hint: "use a larger subnet (a shorter prefix length)" }));
  };

  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {})) {
    const base = ["meshes", meshName];
    room(mesh.subnet, Object.keys(mesh.members).length, [...base, "subnet"], "members", 0);
    for (const [h, m] of Object.entries(mesh.members)) {
      if (m.address) inside(mesh.subnet, m.address, [...base, "members", h, "address"], `overlay address of \`${h}\``, []);
      const host = topo.hosts[h];
      if (!host) continue;
      (m.publishes ?? []).forEach((p, i) => {
        if (isIPv4Cidr(p)) return;
        const bridges = Object.keys(host.bridges ?? {});
        const br = host.bridges?.[p];
        if (!br) {
          const guess = closest(p, bridges);
          out.push(
            error("TOPO3001", [...base, "members", h, "publishes", i], `\`${p}\` is neither a CIDR nor a bridge of host \`${h}\``, {
              hint: guess ? `did you mean \`${guess}\`?` : "publish a bridge name of the host, or a subnet like 10.1.0.0/24",
            }),
          );
        } else if (!br.address) {
          out.push(error("TOPO3005", [...base, "members", h, "publishes", i], `bridge ${p} of host \`${h}\` has no address, so it has no subnet to publish`, { hint: `give bridge ${p} an address, or publish a CIDR` }));
        }
      });
    }
  }

  for (const [hostName, host] of hostEntries(topo)) {
    for (const [iface, v] of Object.entries(host.vpnServers ?? {})) {
      const base = ["hosts", hostName, "vpnServers", iface];
      const server = parseCidr(v.pool).network + 1;
      room(v.pool, Object.keys(v.clients ?? {}).length, [...base, "pool"], "clients besides the server", 1);
      for (const [c, client] of Object.entries(v.clients ?? {})) {
        if (client.address) inside(v.pool, client.address, [...base, "clients", c, "address"], `address of client \`${c}\``, [{ ip: server, why: "the server's own address" }]);
      }
    }
  }
  return out;
}
