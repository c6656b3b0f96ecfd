/**
 * topo's authoring API. A fleet's `topology.ts` does
 *
 * ```ts
 * import { defineTopology } from "topo";
 * export default defineTopology({ hosts: { ... } });
 * ```
 *
 * and gets completion and type errors in the editor; `topo compile topology.ts` does the rest.
 */
import type { TopologyInput } from "./model/topology.js";

export type {
  TopologyInput,
  HostInput,
  MeshInput,
  ExpectationInput,
} from "./model/topology.js";

/**
 * Declare a fleet's network. Returns its argument unchanged: the function exists for the types
 * (completion, checking) and as the marker topo looks for to point diagnostics at your source.
 *
 * @param topology hosts, bridges, containers, VM networks, meshes, tunnels, chains and expectations.
 * @example
 * export default defineTopology({
 *   hosts: {
 *     web1: {
 *       system: "x86_64-linux",
 *       stateVersion: "25.11",
 *       uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
 *       firewall: { allowedTCPPorts: [22, 443] },
 *     },
 *   },
 * });
 */
export function defineTopology(topology: TopologyInput): TopologyInput {
  return topology;
}
