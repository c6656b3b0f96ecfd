import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries, interfacesOf } from "../inventory.js";

/** Container ids, and interface names that create an interface, are unique on a host. */
export function duplicateIds(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    const ids = new Map<number, Path>();
    for (const [name, c] of Object.entries(host.containers ?? {})) {
      const path = ["hosts", hostName, "containers", name, "id"];
      const first = ids.get(c.id);
      if (first) out.push(error("TOPO3004", path, `container id ${c.id} is used twice on host \`${hostName}\``, { related: [{ message: "first used here", path: first }] }));
      else ids.set(c.id, path);
    }
    // Interfaces that topo creates (or that are distinct devices) must not share a name.
    const created = interfacesOf(topo, hostName).filter((i) => i.kind !== "bridge-port" && i.kind !== "ovs-port" && i.kind !== "admin");
    const seen = new Map<string, Path>();
    for (const i of created) {
      const first = seen.get(i.name);
      if (first) {
        out.push(error("TOPO3004", i.path, `interface name \`${i.name}\` is used twice on host \`${hostName}\``, { related: [{ message: "first used here", path: first }] }));
      } else seen.set(i.name, i.path);
    }
  }
  return out;
}
