import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { contains } from "../../net/ipv4.js";
import { hostEntries } from "../inventory.js";

/** An uplink is either DHCP or static with an address, and a static gateway lies in its subnet. */
export function conflictingUplink(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, host] of hostEntries(topo)) {
    const u = host.uplink;
    const base = ["hosts", name, "uplink"];
    if (u.dhcp && u.address) {
      out.push(error("TOPO3006", [...base, "dhcp"], `uplink ${u.interface} of host \`${name}\` has both dhcp and a static address`, { hint: "remove `dhcp: true` or the `address`" }));
    } else if (!u.dhcp && !u.address) {
      out.push(error("TOPO3006", base, `uplink ${u.interface} of host \`${name}\` has neither an address nor dhcp`, { hint: "add `address: \"a.b.c.d/n\"` (and `gateway`), or `dhcp: true`" }));
    }
    if (u.dhcp && u.gateway) {
      out.push(error("TOPO3006", [...base, "gateway"], `uplink ${u.interface} of host \`${name}\` takes its gateway from DHCP`, { hint: "remove `gateway`, or make the uplink static" }));
    }
    if (u.address && u.gateway && !contains(u.address, u.gateway)) {
      out.push(error("TOPO3005", [...base, "gateway"], `gateway ${u.gateway} is not in the uplink's subnet ${u.address}`, { hint: "a gateway must be on-link; check the prefix length" }));
    }
  }
  return out;
}
