/**
 * Which WireGuard key pairs the topology needs, where each private key lives on the host, and
 * where each public key comes from (the topology, else topo.lock.json). Shared by the key rules,
 * resolve and `topo keys`, so the three never disagree on what "missing" means.
 *
 * Private keys live only in files: `topo keys` writes them to `secrets/<host>-<if>.key` next to the
 * topology (git-ignored), and generated config names the runtime path
 * `/run/secrets/topo/<host>-<if>.key`, which is where sops-nix puts a secret named
 * `topo/<host>-<if>.key` (agenix: set `age.secrets.<n>.path` to it). Any object can override the
 * path with `privateKeyFile`.
 */
import type { Path } from "../diag/diagnostic.js";
import type { LockFile } from "../ir/lock.js";
import type { TopologyParsed } from "../model/topology.js";

export const RUNTIME_SECRETS_DIR = "/run/secrets/topo";
export const LOCK_SECTION = "wireguard";

/** The `wireguard` section of topo.lock.json. */
export interface WireguardLock {
  /** Allocated mesh overlay addresses: mesh -> host -> address. */
  readonly addresses?: Record<string, Record<string, string>>;
  /** Allocated VPN client addresses: host -> interface -> client -> address. */
  readonly clients?: Record<string, Record<string, Record<string, string>>>;
  /** Public keys made by `topo keys`: host -> interface -> key. */
  readonly publicKeys?: Record<string, Record<string, string>>;
  /** Allocated routing tables: host -> name (tunnel interface, or `exit-<host>-<tunnel>`) -> table. */
  readonly tables?: Record<string, Record<string, number>>;
}

export interface KeyNeed {
  readonly host: string;
  /** The WireGuard interface the key belongs to. */
  readonly iface: string;
  readonly kind: "mesh" | "tunnel" | "vpn";
  /** Where the object is declared (diagnostics point here). */
  readonly path: Path;
  /** Public key written in the topology: the private key is then managed outside topo. */
  readonly given?: string;
  /** Runtime path of the private key on the host. */
  readonly privateKeyFile: string;
  /** Whether topo must know the public key (false: the key is managed elsewhere). */
  readonly required: boolean;
}

export function defaultPrivateKeyFile(host: string, iface: string): string {
  return `${RUNTIME_SECRETS_DIR}/${secretFileName(host, iface)}`;
}

/** File name of a private key, both in the local secrets directory and under /run/secrets/topo. */
export function secretFileName(host: string, iface: string): string {
  return `${host}-${iface}.key`;
}

/** Every WireGuard key pair of the fleet, sorted by host then interface. */
export function keyNeeds(topo: TopologyParsed): KeyNeed[] {
  const out: KeyNeed[] = [];
  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {})) {
    for (const [host, m] of Object.entries(mesh.members)) {
      out.push({
        host,
        iface: mesh.interface,
        kind: "mesh",
        path: ["meshes", meshName, "members", host],
        ...(m.publicKey ? { given: m.publicKey } : {}),
        privateKeyFile: m.privateKeyFile ?? defaultPrivateKeyFile(host, mesh.interface),
        // Peers need the key: without one in the topology, topo keys must make the pair.
        required: true,
      });
    }
  }
  for (const [host, h] of Object.entries(topo.hosts)) {
    // A tunnel's or server's own public key appears in no generated file (the far end or the
    // clients need it). An explicit privateKeyFile says the key is managed elsewhere (e.g. made by
    // the tunnel provider's registration tool).
    for (const [iface, t] of Object.entries(h.tunnels ?? {})) {
      out.push({ host, iface, kind: "tunnel", path: ["hosts", host, "tunnels", iface], privateKeyFile: t.privateKeyFile ?? defaultPrivateKeyFile(host, iface), required: !t.privateKeyFile });
    }
    for (const [iface, v] of Object.entries(h.vpnServers ?? {})) {
      out.push({ host, iface, kind: "vpn", path: ["hosts", host, "vpnServers", iface], privateKeyFile: v.privateKeyFile ?? defaultPrivateKeyFile(host, iface), required: !v.privateKeyFile });
    }
  }
  return out.sort((a, b) => (a.host === b.host ? (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0) : a.host < b.host ? -1 : 1));
}

export function wireguardLock(lock: LockFile | undefined): WireguardLock {
  return ((lock?.[LOCK_SECTION] as WireguardLock | undefined) ?? {}) as WireguardLock;
}

/** The public key of a need: the topology's, else the lock's. */
export function publicKeyOf(need: KeyNeed, lock: LockFile | undefined): string | undefined {
  return need.given ?? wireguardLock(lock).publicKeys?.[need.host]?.[need.iface];
}
