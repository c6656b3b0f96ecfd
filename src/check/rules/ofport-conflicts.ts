import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries } from "../inventory.js";

const OFPP_MAX = 65279;

/**
 * The flows name ports by the OpenFlow numbers topo requests for them, so every port of an OVS
 * bridge needs one, in range and its own. A container's defaults to its id.
 */
export function ofportConflicts(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    for (const [brName, br] of Object.entries(host.bridges ?? {})) {
      if (br.kind !== "ovs") continue;
      const seen = new Map<number, { path: Path; owner: string; explicit: boolean }>();
      const claim = (n: number, path: Path, owner: string, explicit = true) => {
        const first = seen.get(n);
        // Two containers with one id: the duplicate-id rule says so already.
        if (first && !first.explicit && !explicit) return;
        if (first) {
          out.push(
            error("TOPO4005", path, `OpenFlow port ${n} of ${owner} on bridge \`${brName}\` is already taken by ${first.owner}`, {
              hint: "set a different `ofport`",
              related: [{ message: `${first.owner} has it`, path: first.path }],
            }),
          );
        } else seen.set(n, { path, owner, explicit });
      };
      for (const [name, c] of Object.entries(host.containers ?? {})) {
        if (c.bridge !== brName) continue;
        const base = ["hosts", hostName, "containers", name];
        if (c.ofport === undefined && c.id > OFPP_MAX) {
          out.push(
            error("TOPO4005", [...base, "id"], `container id ${c.id} cannot be the OpenFlow port number of its port (at most ${OFPP_MAX})`, {
              hint: "set `ofport` on the container (1 to 65279)",
            }),
          );
          continue;
        }
        claim(c.ofport ?? c.id, [...base, c.ofport !== undefined ? "ofport" : "id"], `container \`${name}\``, c.ofport !== undefined);
      }
      for (const [name, p] of Object.entries(br.ports ?? {})) {
        if (p.ofport !== undefined) claim(p.ofport, ["hosts", hostName, "bridges", brName, "ports", name, "ofport"], `port \`${name}\``);
      }
    }
  }
  return out;
}
