/**
 * What a lab component sees: the run (namespaces, links, processes), the generated hosts, the
 * topology's intent for the environment around them, and the registries components fill in for
 * each other and for the probes (segments, endpoints, findings). See src/lab/README.md.
 */
import type { HostIR, TopologyIR } from "../ir/types.js";
import type { GeneratedHost } from "./generated/tree.js";
import type { AddressPlan } from "./runtime/addresses.js";
import type { Requirement } from "./runtime/requirements.js";
import type { End, LabRun } from "./runtime/run.js";

/** Something probes can start from or aim at: an intent endpoint standing in the lab. */
export interface LabEndpoint {
  /** The intent endpoint id (`oo1424oo`, `external.wan`, `hv1.vm1`...). */
  readonly id: string;
  /** The namespace probes from this endpoint run in, and listeners for it listen in. */
  readonly ns: string;
  /** The address probes aim at when the cell names none (may be learnt only after settle, e.g. a DHCP lease). */
  address(): string | undefined;
}

/** A judgement about the generated files by a real component (a networkd complaint, an nft error...). */
export interface Finding {
  readonly component: string;
  readonly host?: string;
  /** The generated file (or unit) it is about. */
  readonly file?: string;
  /** error: fails the run; expected: listed, does not fail (e.g. a key newer than the daemon here). */
  readonly severity: "error" | "expected";
  readonly message: string;
}

/** A layer-2 segment: an address-less bridge in the run's switch namespace. */
export interface Segment {
  readonly key: string;
  readonly bridge: string;
}

export interface LabContext {
  readonly run: LabRun;
  /** The topology's intent (IR). Components read it for the ENVIRONMENT of a host (what is plugged into it, the upstream), never for the host's own configuration. */
  readonly ir: TopologyIR;
  /** The generated tree the lab instantiates. */
  readonly tree: string;
  /** The evaluated generated modules of each host in scope. */
  readonly generated: ReadonlyMap<string, GeneratedHost>;
  /** The hosts in scope (all, or the one of --host). */
  readonly hosts: readonly HostIR[];
  /** Lab-only addresses from the documentation ranges the topology leaves free. */
  readonly addresses: AddressPlan;
  /** The namespace that emulates a host. */
  hostNs(host: string): string;
  /** The segment for a key, created on first use. */
  segment(key: string): Segment;
  /**
   * Plug an interface (created here, as one end of a veth) of a namespace into a segment. `up:
   * false` leaves this end down, as a machine's NIC is until its network daemon brings it up.
   */
  plug(seg: Segment, end: End, opts?: { up?: boolean }): void;
  /** A link into the switch namespace that leads nowhere: an interface that must exist but has no far end. */
  dangling(end: End, opts?: { up?: boolean }): void;
  /** Services components publish for each other, by a key they document. */
  readonly shared: Map<string, unknown>;
  endpoint(ep: LabEndpoint): void;
  readonly endpoints: ReadonlyMap<string, LabEndpoint>;
  finding(f: Finding): void;
  readonly findings: readonly Finding[];
  /** Lines printed by --keep and in the report (what the component stood up). */
  note(line: string): void;
  readonly notes: readonly string[];
}

/**
 * A lab component: one real program or concept plugged into the run. Each phase runs for every
 * component (in COMPONENTS order) before the next phase starts, so a component can rely on the
 * links of all others existing when it configures, and on all daemons running when it settles.
 */
export interface LabComponent {
  readonly name: string;
  /** Programs it needs for this topology (checked before anything is created). */
  requires?(ir: TopologyIR): readonly Requirement[];
  /** Namespaces and links: the machines' "hardware" and what is plugged into them. */
  wire?(ctx: LabContext): void | Promise<void>;
  /** Kernel state from the generated files: sysctls, nftables. */
  configure?(ctx: LabContext): void | Promise<void>;
  /** Daemons reading the generated files (networkd, wireguard-go, ovs-vswitchd). */
  start?(ctx: LabContext): void | Promise<void>;
  /** Wait until ready; register endpoints whose addresses only now exist. */
  settle?(ctx: LabContext): void | Promise<void>;
  /** Judge the generated files from what the real programs said (logs, exit codes). */
  judge?(ctx: LabContext): void | Promise<void>;
}

export const PHASES = ["wire", "configure", "start", "settle", "judge"] as const;
