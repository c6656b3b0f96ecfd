import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { addressOf, contains, networkOf } from "../../net/ipv4.js";
import { hostEntries } from "../inventory.js";

/** A container's address and gateway lie inside the subnet of the bridge it is attached to. */
export function addressOutsideSubnet(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    for (const [name, c] of Object.entries(host.containers ?? {})) {
      const br = host.bridges?.[c.bridge];
      if (!br?.address) continue;
      const base = ["hosts", hostName, "containers", name];
      if (!contains(br.address, addressOf(c.address)) || networkOf(c.address) !== networkOf(br.address)) {
        out.push(
          error("TOPO3005", [...base, "address"], `address ${c.address} of container \`${name}\` is not in ${networkOf(br.address)}, the subnet of bridge ${c.bridge}`, {
            related: [{ message: "the bridge's address", path: ["hosts", hostName, "bridges", c.bridge, "address"] }],
          }),
        );
      }
      if (c.gateway && !contains(br.address, c.gateway)) {
        out.push(error("TOPO3005", [...base, "gateway"], `gateway ${c.gateway} of container \`${name}\` is not in ${networkOf(br.address)}`, { hint: `usually the bridge address, ${addressOf(br.address)}` }));
      }
    }
  }
  return out;
}
