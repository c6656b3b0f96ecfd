import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries } from "../inventory.js";

/** Roles isolate by OpenFlow rules: they need an OVS bridge, with an address (the host is the way out). */
export function containerRoles(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    for (const [name, c] of Object.entries(host.containers ?? {})) {
      if (c.role !== "privacy" && c.role !== "management") continue;
      const br = host.bridges?.[c.bridge];
      if (!br) continue;
      const path = ["hosts", hostName, "containers", name, "role"];
      if (br.kind !== "ovs") out.push(error("TOPO3006", path, `role "${c.role}" isolates by OpenFlow rules, but \`${c.bridge}\` is a Linux bridge`, { hint: 'put the container on an OVS bridge (kind: "ovs"), or remove the role' }));
      else if (!br.address) out.push(error("TOPO3006", path, `role "${c.role}" sends the container's traffic to the host, but bridge \`${c.bridge}\` has no address`, { hint: "give the bridge an address" }));
    }
  }
  return out;
}
