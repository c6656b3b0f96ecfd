import type { HostIR, TopologyIR } from "../../ir/types.js";
import type { NftChain, NftRule, NftSet, NftTable } from "../../render/views.js";

/**
 * Where a concept's input rule goes in the host's input chain (nftables/input.ts):
 * bind (source checks) -> the firewall's trusted interfaces -> own (a concept's own endpoints,
 * e.g. VMs to `vm_to_host`) -> allow (accepts: listen ports, an admin interface) -> the
 * firewall's ICMP and open ports -> logged drop.
 */
export type InputRank = "bind" | "own" | "allow";

export interface InputRule {
  readonly rank: InputRank;
  readonly rule: NftRule;
}

/**
 * What one concept adds to a host's nftables besides its forward and NAT facts (those are
 * composed from src/policy/compose/): sets and regular chains of `inet topo-filter`, input rules
 * by rank, sets its NAT facts look up, and whole tables of its own (e.g. `inet topo-privacy`).
 */
export interface NftPart {
  readonly sets?: readonly NftSet[];
  readonly input?: readonly InputRule[];
  readonly chains?: readonly NftChain[];
  /** Named sets the NAT table needs (declared again there: sets are per table). */
  readonly natSets?: readonly NftSet[];
  readonly tables?: readonly NftTable[];
}

export type NftLowering = (ir: TopologyIR, host: HostIR) => NftPart;
