/**
 * WireGuard in the IR: meshes (fleet level), client tunnels and VPN servers (per host), and the
 * one thing lowering and the lab read for a host: its WireGuard interfaces, fully resolved
 * (addresses, peers with their allowed-ips, routes, policy rules). Every shape decision (full vs
 * hub, keepalive, exits across a mesh) is taken by resolve (src/check/resolve-wireguard.ts); no
 * backend re-derives one. No private key appears here: only the runtime path of each key file.
 */
import type { Origin } from "./types.js";

export interface MeshMemberIR {
  readonly host: string;
  readonly origin: Origin;
  /** Overlay address (no prefix length): given, or allocated and kept in topo.lock.json. */
  readonly address: string;
  readonly publicKey: string;
  readonly endpoint?: string;
  readonly behindNat: boolean;
  /** PersistentKeepalive this member sends to its peers. */
  readonly keepalive?: number;
  /** Networks this member publishes (canonical CIDRs: bridges resolved to their subnets). */
  readonly publishes: readonly string[];
  readonly privateKeyFile: string;
}

export interface MeshIR {
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly interface: string;
  readonly listenPort: number;
  readonly subnet: string;
  readonly shape: "full" | "hub";
  readonly hub?: string;
  readonly routeMetric: number;
  readonly members: readonly MeshMemberIR[];
}

/** Who exits through a tunnel: a container of the tunnel's host, or a host service across a mesh. */
export interface TunnelUserIR {
  readonly kind: "container" | "remote";
  /** "<container>" or "<host>.<service>". */
  readonly ref: string;
  /** Where the use is declared: the service's exitVia, else the tunnel's usedBy entry. */
  readonly origin: Origin;
  /** The source address its packets carry (a container's address, the remote host's overlay address). */
  readonly source: string;
  /** For remote users: the mesh interface their packets arrive on. */
  readonly via?: string;
}

export interface TunnelIR {
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly endpoint: string;
  /** The far end's public key. */
  readonly peerPublicKey: string;
  /** This end's public key (from topo.lock.json, made by `topo keys`); absent when the key is managed elsewhere. */
  readonly publicKey?: string;
  readonly address: string;
  readonly allowedIPs: readonly string[];
  readonly listenPort?: number;
  readonly keepalive?: number;
  /**
   * The bridge this tunnel is a port of. The bridge's own pass adds the port (for Open vSwitch:
   * `networking.vswitches.<bridge>.interfaces.<tunnel>`); see `tunnelPortsOf`.
   */
  readonly bridge?: string;
  /** Routing table holding the tunnel's default route (policy routing for `users`). */
  readonly table: number;
  readonly users: readonly TunnelUserIR[];
  readonly privateKeyFile: string;
}

export interface VpnClientIR {
  readonly name: string;
  readonly origin: Origin;
  readonly publicKey: string;
  /** Client address (no prefix length): given, or allocated from the pool and locked. */
  readonly address: string;
  readonly description?: string;
}

export interface VpnServerIR {
  readonly name: string;
  readonly origin: Origin;
  readonly description?: string;
  readonly listenPort: number;
  readonly pool: string;
  /** The server's own address with the pool's prefix length (the first address of the pool). */
  readonly address: string;
  /** The server's public key (from topo.lock.json); absent when the key is managed elsewhere. */
  readonly publicKey?: string;
  readonly clients: readonly VpnClientIR[];
  /** How the pool leaves by the uplink. */
  readonly nat: "masquerade" | "none";
  readonly privateKeyFile: string;
}

export interface WgPeerIR {
  /** Who the peer is: a host (mesh), a client name (VPN), the tunnel's far end. */
  readonly name: string;
  readonly origin: Origin;
  readonly publicKey: string;
  readonly allowedIPs: readonly string[];
  readonly endpoint?: string;
  readonly keepalive?: number;
}

export interface WgRouteIR {
  readonly origin: Origin;
  readonly destination: string;
  readonly metric?: number;
  /** Routing table; the main table when absent. */
  readonly table?: number;
}

export interface PolicyRuleIR {
  readonly origin: Origin;
  readonly from: string;
  readonly incomingInterface?: string;
  readonly table: number | "main";
  readonly priority: number;
  /** `main` lookups skip the default route, so more specific routes still win over an exit. */
  readonly suppressPrefixLength?: number;
}

/** A private key declared as a secret of sops-nix or agenix (the netdev then names its `.path`). */
export interface WgSecretIR {
  readonly backend: "sops-nix" | "agenix";
  /** `sops.secrets.<name>` / `age.secrets.<name>`. */
  readonly name: string;
  /** agenix: the encrypted file, relative to the flake's root. */
  readonly file?: string;
}

/** One WireGuard interface of a host, ready to lower. */
export interface WgInterfaceIR {
  readonly kind: "mesh" | "tunnel" | "vpn";
  /** Interface name. */
  readonly name: string;
  readonly origin: Origin;
  /** The mesh, tunnel or VPN server it comes from. */
  readonly owner: string;
  readonly privateKeyFile: string;
  /** Present when the key is a sops-nix or agenix secret (`secrets`); privateKeyFile is then that secret's default path. */
  readonly secret?: WgSecretIR;
  readonly publicKey?: string;
  readonly listenPort?: number;
  /** Addresses with prefix length. */
  readonly addresses: readonly string[];
  readonly peers: readonly WgPeerIR[];
  readonly routes: readonly WgRouteIR[];
  readonly policyRules: readonly PolicyRuleIR[];
  /** Packets leaving by this interface get its address as source (a tunnel with a single assigned address). */
  readonly masquerade: boolean;
  /** The uplink must accept the listen port (the far ends dial in). */
  readonly openOnUplink: boolean;
}
