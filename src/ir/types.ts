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

import type { ChainIR, OvsDetailIR } from "./ovs.js";

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
  readonly vmNetwork?: VmNetworkIR;
  readonly tunnels: readonly TunnelIR[];
  readonly vpnServers: readonly VpnServerIR[];
  /** Every WireGuard interface of the host (mesh, tunnels, VPN servers), resolved for lowering. */
  readonly wireguard: readonly WgInterfaceIR[];
  readonly chains: readonly ChainIR[];
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
  /** How the subnet leaves by the uplink when the host forwards: masqueraded or routed as is. */
  readonly nat: "masquerade" | "none";
}

export interface OvsBridgeIR {
  readonly kind: "ovs";
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly address?: string;
  /** How the subnet leaves by the uplink when the host forwards: masqueraded or routed as is. */
  readonly nat: "masquerade" | "none";
  /** Attachments, flows and policies, resolved by check/resolve-ovs.ts. */
  readonly ovs: OvsDetailIR;
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

export type Hypervisor = "qemu" | "cloud-hypervisor" | "firecracker" | "crosvm" | "kvmtool" | "stratovirt" | "alioth";

/** A microVM isolation network: one bridge, TAP and subnet per VM (src/check/resolve-vm-network.ts). */
export interface VmNetworkIR {
  readonly origin: Origin;
  /** The pool VM subnets are carved from, e.g. 10.0.0.0/8. */
  readonly pool: string;
  readonly prefixLength: number;
  /** Where VMs reach the internet (masqueraded). */
  readonly uplink: string;
  /** Administrators come in here and may reach every VM. */
  readonly adminInterface?: string;
  readonly metadata?: { readonly origin: Origin; readonly address: string; readonly port: number };
  readonly dns: readonly string[];
  readonly sshPort: number;
  /** What VMs may ask the hypervisor itself for. */
  readonly hostServices: readonly ServicePortIR[];
  readonly logDrops: boolean;
  /** Sorted by name. */
  readonly vms: readonly VmIR[];
  /** Sorted, duplicates removed. */
  readonly exceptions: readonly VmExceptionIR[];
}

export interface ServicePortIR {
  readonly proto: "tcp" | "udp";
  readonly port: number;
}

export interface VmIR {
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  /** The VM's network number (stable: pinned, or kept in topo.lock.json). */
  readonly index: number;
  /** The VM's subnet, e.g. 10.1.0.0/24. */
  readonly subnet: string;
  /** The bridge's (gateway's) address with prefix length, e.g. 10.1.0.1/24. */
  readonly hostAddress: string;
  /** The guest's address with prefix length, e.g. 10.1.0.2/24. */
  readonly guestAddress: string;
  readonly gateway: string;
  /** Locally administered, deterministic, kept in topo.lock.json. */
  readonly mac: string;
  readonly bridge: string;
  readonly tap: string;
  readonly hypervisor: Hypervisor;
  readonly vcpu: number;
  /** MiB. */
  readonly memory: number;
}

export interface VmExceptionIR {
  readonly origin: Origin;
  readonly from: string;
  readonly to: string;
  readonly proto: "tcp" | "udp";
  readonly port: number;
  readonly comment?: string;
}
