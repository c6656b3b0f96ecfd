/**
 * The IR: the topology fully resolved. Every reference is checked, every default applied, every
 * name and address final, and collections whose order means nothing are sorted. Backends read
 * only this. It is plain JSON (`topo ir` dumps it), and each item carries where it was declared.
 */
import type { MeshIR, TunnelIR, VpnServerIR, WgInterfaceIR } from "./wireguard.js";

export type * from "./wireguard.js";

/** Where an item was declared: its path in the topology and, when the source shows it, its line. */
export interface Origin {
  readonly path: string;
  readonly line?: number;
}

export interface TopologyIR {
  readonly name: string;
  /** The topology file, relative to the output directory (for headers and back-references). */
  readonly source: string;
  readonly nixpkgs: string;
  readonly microvm: string;
  readonly hosts: readonly HostIR[];
  readonly meshes: readonly MeshIR[];
  readonly expectations: readonly ExpectationIR[];
}

export interface HostIR {
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly system: "x86_64-linux" | "aarch64-linux";
  readonly stateVersion: string;
  readonly profile?: string;
  readonly uplink: UplinkIR;
  readonly forwarding: { readonly ipv4: boolean; readonly ipv6: boolean };
  readonly firewall: FirewallIR;
  readonly routes: readonly RouteIR[];
  readonly bridges: readonly BridgeIR[];
  readonly containers: readonly ContainerIR[];
  readonly services: readonly HostServiceIR[];
  /** Raw (validated) inputs of concepts whose resolution later passes own. */
  readonly vmNetwork?: unknown;
  readonly tunnels: readonly TunnelIR[];
  readonly vpnServers: readonly VpnServerIR[];
  /** Every WireGuard interface of the host (mesh, tunnels, VPN servers), resolved for lowering. */
  readonly wireguard: readonly WgInterfaceIR[];
  readonly chains: readonly { readonly name: string; readonly origin: Origin; readonly input: unknown }[];
}

export interface UplinkIR {
  readonly origin: Origin;
  readonly interface: string;
  readonly dhcp: boolean;
  readonly address?: string;
  readonly gateway?: string;
  readonly dns: readonly string[];
  /** Where peers reach this host: publicAddress, else the static address. */
  readonly publicAddress?: string;
}

export interface PortRangeIR {
  readonly from: number;
  readonly to: number;
}

export interface FirewallIR {
  readonly origin: Origin;
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
  readonly tcpRanges: readonly PortRangeIR[];
  readonly udpRanges: readonly PortRangeIR[];
  readonly trustedInterfaces: readonly string[];
  readonly allowPing: boolean;
  readonly logDrops: boolean;
}

export interface RouteIR {
  readonly origin: Origin;
  readonly destination: string;
  readonly gateway?: string;
  readonly interface: string;
  readonly metric?: number;
}

export interface LinuxBridgeIR {
  readonly kind: "linux";
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly address?: string;
  readonly ports: readonly string[];
  readonly stp: boolean;
}

export interface OvsBridgeIR {
  readonly kind: "ovs";
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly address?: string;
  /** Raw (validated) OVS input; resolved by the Open vSwitch pass. */
  readonly input: unknown;
}

export type BridgeIR = LinuxBridgeIR | OvsBridgeIR;

export interface ServiceIR {
  readonly name: string;
  readonly proto: "tcp" | "udp";
  readonly port: number;
}

export interface ContainerIR {
  readonly name: string;
  readonly origin: Origin;
  readonly id: number;
  readonly description?: string;
  readonly bridge: string;
  readonly port: string;
  readonly portType: "veth" | "internal";
  /** Address with prefix length. */
  readonly address: string;
  readonly gateway?: string;
  readonly services: readonly ServiceIR[];
  readonly runtime: "external" | "nixos";
  readonly role?: "privacy" | "management" | "service";
}

export interface HostServiceIR extends ServiceIR {
  readonly origin: Origin;
  readonly description?: string;
  readonly exitVia?: string;
}

export interface ExpectationIR {
  readonly origin: Origin;
  readonly from: string;
  readonly to: string;
  readonly proto: "tcp" | "udp" | "icmp";
  readonly port?: number;
  readonly reach: boolean;
}
