/**
 * The IR of Open vSwitch bridges and chains: every name resolved to an attachment with its
 * OpenFlow port number, every container name in a match resolved to its address, defaults applied.
 * Flows derived from roles and chains are not here: lowering derives them from this (lower/ovs/).
 */
import type { Origin } from "./types.js";

/**
 * Something plugged into an OVS bridge, by the name flows use for it.
 * - `container`: a container's veth (created by Proxmox/LXC or nspawn: appears late, attached by
 *   topo's port service) or its OVS internal port;
 * - `port`: an extra port declared on the bridge (internal, or an existing interface);
 * - `tunnel`: a WireGuard tunnel attached to the bridge. A WireGuard device is layer 3 and cannot
 *   carry the bridge's Ethernet frames, so it is reached through the bridge's own interface
 *   (OpenFlow `LOCAL`) and the host's routing: its ofport is "LOCAL";
 * - `local`: the bridge's own interface.
 */
export interface OvsAttachmentIR {
  readonly name: string;
  readonly kind: "container" | "port" | "tunnel" | "local";
  readonly origin: Origin;
  /** The OpenFlow port flows name: a requested number, or LOCAL. */
  readonly ofport: number | "LOCAL";
  /** internal: OVS creates it; system: an interface something else creates. */
  readonly type: "internal" | "system" | "local";
  /** The interface does not exist when the bridge is created (a container's veth): attached when it appears. */
  readonly late: boolean;
  readonly vlan?: number;
  /** For containers: which one, its address (no prefix) and isolation role. */
  readonly container?: string;
  readonly address?: string;
  readonly role?: "privacy" | "management" | "service";
  /** For containers: the tunnel of this host whose `usedBy` names it (its way out). */
  readonly tunnel?: string;
}

export type FlowProto = "ip" | "tcp" | "udp" | "icmp" | "arp";

/** A match with names resolved: inPort is an attachment name, src/dst are addresses or networks. */
export interface FlowMatchIR {
  readonly inPort?: string;
  readonly proto?: FlowProto;
  readonly src?: string;
  readonly dst?: string;
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** icmp_type (topo's own flows only: ICMP redirects of a forced hop). */
  readonly icmpType?: number;
}

export type FlowActionIR =
  | { readonly kind: "normal" | "drop" | "local" | "flood" | "in_port" }
  | { readonly kind: "output"; readonly port: string }
  | { readonly kind: "resubmit"; readonly table: number }
  | { readonly kind: "goto"; readonly table: number }
  | { readonly kind: "learn"; readonly table: number; readonly hardTimeout?: number; readonly priority?: number };

/** Where a flow comes from; also its cookie class. */
export type FlowClass = "user" | "policy" | "isolation" | "chain" | "default";

export interface FlowIR {
  readonly origin: Origin;
  readonly class: FlowClass;
  readonly table: number;
  readonly priority: number;
  /** 64-bit cookie as 0x-hex (topo's classes carry "topo" in the high 32 bits). */
  readonly cookie?: string;
  readonly match: FlowMatchIR;
  readonly actions: readonly FlowActionIR[];
  readonly comment?: string;
}

export interface FlowPolicyIR {
  readonly name: string;
  readonly origin: Origin;
  readonly selector: string;
  /** The attachments the selector names (sorted by name). */
  readonly ports: readonly string[];
  readonly table: number;
  readonly priority: number;
  readonly cookie?: number;
  readonly match: Omit<FlowMatchIR, "inPort">;
  readonly actions: readonly FlowActionIR[];
}

export interface OvsDetailIR {
  /** Every attachment, the bridge's own interface first, then by name. */
  readonly attachments: readonly OvsAttachmentIR[];
  /** The author's flows, in the order written. */
  readonly flows: readonly FlowIR[];
  readonly policies: readonly FlowPolicyIR[];
  readonly failMode: "secure" | "standalone";
}

/** A hop of a chain: a container on the chain's bridge, or a tunnel attached to it. */
export interface ChainHopIR {
  readonly name: string;
  readonly kind: "container" | "tunnel";
  /** Attachment name on the bridge (the container's port; the tunnel's name). */
  readonly port: string;
  /** Container address (no prefix). */
  readonly address?: string;
}

export interface ChainIR {
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly bridge: string;
  readonly hops: readonly ChainHopIR[];
  readonly failClosed: boolean;
  readonly dns?: string;
}
