/**
 * The composed policy of a host: every concept on it (host firewall, bridges, VM network,
 * containers and roles, chains, mesh, tunnels, VPN servers) states typed facts about what the
 * host forwards and translates; one composer (lower/nftables/compose.ts) turns all of them into
 * the host's forward and NAT chains, and `decide` answers, for one packet class, what those
 * chains do with it, so the intent matrix is read from the same facts the ruleset is made of.
 *
 * Precedence (the forward chain, first match wins; policy drop):
 *   0. conntrack: invalid dropped, established and related accepted (replies never need a fact).
 *      Fail-closed privacy (table `inet topo-privacy`, priority filter - 1) runs before the whole
 *      chain: a privacy source or a chain hop starts connections only through its tunnel.
 *   1. bind: sources bound to their interface (a VM sends only from its subnet). A spoofed
 *      packet is dropped whatever any later fact allows.
 *   2. own: a concept that owns endpoints decides everything to and from them, in its own
 *      order, accepts and drops (the VM network: exceptions, isolation, admin, metadata, uplink,
 *      then nothing else to or from a VM). No other concept's fact can reach around it.
 *   3. route: accepts between the host's other interfaces, from every concept (a bridge to the
 *      uplink, between the host's bridges, mesh transit on a hub, a mesh to the subnets it
 *      publishes and back, tunnel users into their tunnel, VPN clients). Accepts commute, so
 *      their order here is for the reader only.
 *   4. everything else: logged (rate-limited) and dropped.
 * A combination where an owner's drop would remove what another concept states is not composed:
 * compile stops at the topology line (a mesh member publishing a VM's subnet: TOPO3012 from
 * check/compose-conflicts.ts; a management container in a tunnel's usedBy: TOPO3054).
 * The Open vSwitch side (guarded ports bound to their sources) is ports.ts.
 *
 * Facts are linear in what the topology declares: per bridge, per VM network (constant, its
 * per-VM data lives in named sets), per mesh, per tunnel user. Nothing here is pairwise.
 */

export type Rank = "bind" | "own" | "route";
export const RANKS: readonly Rank[] = ["bind", "own", "route"];

export type Concept = "vm-network" | "bridge" | "mesh" | "tunnel" | "vpn";

/** Interfaces: the names, and, when the lowering keeps them in a named set, its name. */
export interface IfaceGroup {
  readonly names: readonly string[];
  readonly set?: string;
}

export interface SourceBinding {
  /** Named set of (interface . allowed source network) pairs. */
  readonly set: string;
  readonly bound: readonly { readonly iface: string; readonly subnet: string }[];
}

export interface TupleSet {
  /** Named set of (input interface . output interface . protocol . port). */
  readonly set: string;
  readonly elements: readonly { readonly iif: string; readonly oif: string; readonly proto: "tcp" | "udp"; readonly port: number }[];
}

export interface ForwardMatch {
  readonly iif?: IfaceGroup;
  readonly oif?: IfaceGroup;
  readonly saddr?: string;
  readonly daddr?: string;
  readonly l4?: { readonly proto: "tcp" | "udp"; readonly port: number };
  /** The packet's source is not one its input interface may use. */
  readonly spoofed?: SourceBinding;
  /** (iif, oif, protocol, port) is one of these. */
  readonly tuple?: TupleSet;
}

export interface ForwardFact {
  readonly concept: Concept;
  readonly rank: Rank;
  readonly match: ForwardMatch;
  readonly verdict: "accept" | "drop";
  /** The topology path (and line) it comes from, and why. */
  readonly why: string;
}

export interface NatFact {
  readonly concept: Concept;
  readonly hook: "prerouting" | "postrouting";
  readonly match: ForwardMatch;
  readonly action: { readonly kind: "masquerade" } | { readonly kind: "dnat"; readonly to: string };
  readonly why: string;
}

export interface HostPolicyFacts {
  readonly forward: readonly ForwardFact[];
  readonly nat: readonly NatFact[];
  /** Log forward drops (rate-limited): some concept asked for it. */
  readonly logForwardDrops: boolean;
}

/** A forward packet class, as a probe or an intent cell sees it. */
export interface PacketClass {
  readonly iif: string;
  readonly oif: string;
  /** Unknown for a source outside the topology (the internet): matches no fact that names one. */
  readonly saddr?: string;
  readonly daddr?: string;
  readonly proto: "tcp" | "udp" | "icmp";
  readonly port?: number;
}
