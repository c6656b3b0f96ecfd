/**
 * Cross-object rules, one file each, named by what they forbid. Each reads the validated input and
 * returns diagnostics at the paths where the problem was written; none of them stops the others,
 * so the author sees every problem at once.
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { LockFile } from "../../ir/lock.js";
import type { TopologyParsed } from "../../model/topology.js";
import { conflictingUplink } from "./conflicting-uplink.js";
import { duplicateAddresses } from "./duplicate-addresses.js";
import { duplicateIds } from "./duplicate-ids.js";
import { addressOutsideSubnet } from "./address-outside-subnet.js";
import { interfaceNameTooLong } from "./interface-name-too-long.js";
import { overlappingSubnets } from "./overlapping-subnets.js";
import { unknownReferences } from "./unknown-references.js";
import { vmNetworkRules } from "./vm-network.js";
import { duplicateWireguardKeys } from "./duplicate-wireguard-keys.js";
import { meshReachability } from "./mesh-reachability.js";
import { missingWireguardKeys } from "./missing-wireguard-keys.js";
import { overlappingAllowedIps } from "./overlapping-allowed-ips.js";
import { tunnelUsers } from "./tunnel-users.js";
import { wireguardAddresses } from "./wireguard-addresses.js";
import { wireguardKeyFormat } from "./wireguard-key-format.js";
import { invalidFlows } from "./invalid-flows.js";
import { invalidChains } from "./invalid-chains.js";
import { ofportConflicts } from "./ofport-conflicts.js";
import { nixosContainerNames } from "./nixos-container-names.js";
import { containerRoles } from "./container-roles.js";

/** What rules may read besides the topology: the previous topo.lock.json (keys made by `topo keys`). */
export interface RuleContext {
  readonly lock?: LockFile;
}

export type Rule = (topo: TopologyParsed, ctx: RuleContext) => Diagnostic[];

export const RULES: readonly Rule[] = [
  conflictingUplink,
  unknownReferences,
  duplicateIds,
  duplicateAddresses,
  overlappingSubnets,
  addressOutsideSubnet,
  interfaceNameTooLong,
  vmNetworkRules,
  // WireGuard: addresses, keys, reachability of peers, who exits through tunnels.
  wireguardAddresses,
  overlappingAllowedIps,
  meshReachability,
  tunnelUsers,
  wireguardKeyFormat,
  duplicateWireguardKeys,
  missingWireguardKeys,
  invalidFlows,
  invalidChains,
  ofportConflicts,
  nixosContainerNames,
  containerRoles,
];

export function runRules(topo: TopologyParsed, rules: readonly Rule[] = RULES, ctx: RuleContext = {}): Diagnostic[] {
  const diags = rules.flatMap((rule) => rule(topo, ctx));
  // "Run `topo keys`" only helps once nothing else is wrong: topo keys refuses a broken topology.
  const othersFail = diags.some((d) => d.severity === "error" && d.code !== "TOPO3051");
  return othersFail ? diags.filter((d) => d.code !== "TOPO3051") : diags;
}
