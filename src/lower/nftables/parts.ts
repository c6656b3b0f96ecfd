import type { HostIR, TopologyIR } from "../../ir/types.js";
import type { NftChain, NftRule, NftSet, NftTable } from "../../render/views.js";

/**
 * What one concept adds to a host's nftables: sets and regular chains of `inet topo-filter`,
 * rules early in its input chain (before the host's open ports), rules of its forward chain
 * (before the final drop), and whole tables of its own (e.g. `ip topo-nat`).
 */
export interface NftPart {
  readonly sets?: readonly NftSet[];
  readonly inputGuards?: readonly NftRule[];
  readonly forward?: readonly NftRule[];
  /** Log forward drops (rate-limited) in `forward_drop`. */
  readonly forwardLog?: boolean;
  readonly chains?: readonly NftChain[];
  readonly tables?: readonly NftTable[];
}

export type NftLowering = (ir: TopologyIR, host: HostIR) => NftPart;
