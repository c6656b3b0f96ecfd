import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries } from "../inventory.js";

/** NixOS containers: at most 11 characters and no '_' (the module asserts it; nspawn names ve-/vb-<name>). */
export function nixosContainerNames(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    for (const [name, c] of Object.entries(host.containers ?? {})) {
      if (c.runtime !== "nixos") continue;
      const path = ["hosts", hostName, "containers", name];
      if (name.length > 11 || name.includes("_")) {
        const fixed = name.replace(/_/g, "-").slice(0, 11);
        out.push(
          error("TOPO4003", path, `container \`${name}\` cannot be a NixOS container: ${name.includes("_") ? "'_' is not allowed" : `${name.length} characters, at most 11`}`, {
            hint: `rename it (e.g. \`${fixed}\`), or use runtime "external"`,
          }),
        );
      }
    }
  }
  return out;
}
