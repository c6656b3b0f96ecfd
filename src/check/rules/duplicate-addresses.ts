import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { addressOf } from "../../net/ipv4.js";
import { addressesOf, hostEntries } from "../inventory.js";

/** No two interfaces or containers of one host claim the same address. */
export function duplicateAddresses(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName] of hostEntries(topo)) {
    const seen = new Map<string, { owner: string; path: Path }>();
    for (const a of addressesOf(topo, hostName)) {
      const ip = addressOf(a.cidr);
      const first = seen.get(ip);
      if (first) {
        out.push(
          error("TOPO3002", a.path, `address ${ip} of ${a.owner} is already taken by ${first.owner} on host \`${hostName}\``, {
            related: [{ message: `${first.owner} has it`, path: first.path }],
          }),
        );
      } else seen.set(ip, { owner: a.owner, path: a.path });
    }
  }
  return out;
}
