import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries, interfacesOf } from "../inventory.js";

/** IFNAMSIZ is 16 bytes with the trailing NUL: every Linux interface name is at most 15 bytes. */
export const IFNAME_MAX = 15;

export function interfaceNameTooLong(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const [hostName] of hostEntries(topo)) {
    for (const i of interfacesOf(topo, hostName)) {
      const bytes = Buffer.byteLength(i.name, "utf8");
      const key = JSON.stringify(i.path);
      if (bytes > IFNAME_MAX && !reported.has(key)) {
        reported.add(key);
        out.push(
          error("TOPO4001", i.path, `interface name \`${i.name}\` is ${bytes} characters; Linux allows at most ${IFNAME_MAX}`, {
            hint: `shorten it, e.g. \`${i.name.slice(0, IFNAME_MAX)}\``,
          }),
        );
      }
    }
  }
  return out;
}
