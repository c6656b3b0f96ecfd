/**
 * WireGuard: meshes between hosts, client tunnels (WARP-like) and VPN servers.
 * Private keys are never part of the model: they live in files `topo keys` writes outside the
 * generated tree, and generated config points at them by path.
 */
import { z } from "zod";
import { Endpoint, HostName, IPv4, IPv4Cidr, Ident, IfName, Port, RuntimePath, Text, WgPublicKey } from "./common.js";

/**
 * Who delivers the WireGuard private keys to the hosts. `path`: topo names the runtime path and
 * the key gets there some other way. `sops-nix` / `agenix`: topo also declares each key as a secret
 * of that tool, owned by systemd-network (networkd reads the key as that user), mode 0640, and
 * points the netdev at the secret's `.path`.
 */
export const SecretsBackend = z
  .enum(["path", "sops-nix", "agenix"])
  .describe("How WireGuard private keys reach the hosts: path (by runtime path only), sops-nix or agenix (declared as secrets readable by systemd-network).");

export const MeshMember = z
  .object({
    address: IPv4.optional().describe("Overlay address; allocated from the mesh subnet and kept in topo.lock.json when omitted."),
    publicKey: WgPublicKey.optional().describe("Public key; taken from topo.lock.json (made by `topo keys`) when omitted."),
    endpoint: Endpoint.optional().describe("Where other members reach it (ip:port). Members without one only dial out."),
    behindNat: z.boolean().optional().describe("The member is behind NAT: it keeps its peers alive (PersistentKeepalive) and is never dialled."),
    keepalive: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe("PersistentKeepalive this member sends, in seconds (0 = off). Default: the mesh's keepalive when behind NAT."),
    publishes: z
      .array(z.string())
      .optional()
      .describe("Subnets this member publishes to the mesh: bridge names of this host or CIDRs. Routed on every other member."),
    privateKeyFile: RuntimePath.optional().describe(
      "Where the private key is on the host (default /run/secrets/topo/<host>-<interface>.key, the sops-nix path of secret `topo/<host>-<interface>.key`).",
    ),
  })
  .strict();

export const Mesh = z
  .object({
    description: Text.optional(),
    interface: IfName.describe("WireGuard interface name on every member (at most 15 characters)."),
    listenPort: Port,
    subnet: IPv4Cidr.describe("Overlay subnet, e.g. 10.100.0.0/24."),
    shape: z.enum(["full", "hub"]).describe("full: every member peers with every other. hub: spokes peer with the hub only."),
    hub: HostName.optional().describe("The hub host (shape hub)."),
    keepalive: z.number().int().min(1).max(65535).optional().describe("PersistentKeepalive for members behind NAT (default 25)."),
    routeMetric: z.number().int().min(0).optional().describe("Metric of routes to published subnets (default 50)."),
    members: z.record(HostName, MeshMember),
  })
  .strict()
  .describe("A WireGuard overlay between hosts (Netmaker-style).");

export const Tunnel = z
  .object({
    description: Text.optional(),
    endpoint: Endpoint,
    publicKey: WgPublicKey.describe("The far end's public key."),
    address: IPv4Cidr.describe("This end's tunnel address."),
    allowedIPs: z.array(IPv4Cidr).optional().describe("What the far end may send and is routed to (default 0.0.0.0/0)."),
    listenPort: Port.optional(),
    keepalive: z.number().int().min(0).max(65535).optional().describe("PersistentKeepalive towards the far end, in seconds (default 25: a client behind NAT)."),
    bridge: IfName.optional().describe("Attach the tunnel interface to this (Open vSwitch) bridge of the host as a port."),
    usedBy: z
      .array(z.string())
      .optional()
      .describe("Who exits through this tunnel: container names of this host, or '<host>.<service>' across a mesh."),
    privateKeyFile: RuntimePath.optional().describe("Where the private key is on the host (default /run/secrets/topo/<host>-<if>.key)."),
    table: z.number().int().min(1).max(2147483647).optional().describe("Routing table for policy routing (allocated when omitted)."),
  })
  .strict()
  .describe("A WireGuard client tunnel such as Cloudflare WARP.");

export const VpnClient = z
  .object({
    publicKey: WgPublicKey,
    address: IPv4.optional().describe("Client address from the pool; allocated when omitted."),
    description: Text.optional(),
  })
  .strict();

export const VpnServer = z
  .object({
    description: Text.optional(),
    listenPort: Port,
    pool: IPv4Cidr.describe("Client address pool; the server takes the first address."),
    clients: z.record(Ident, VpnClient).optional(),
    nat: z
      .enum(["masquerade", "none"])
      .default("masquerade")
      .describe(
        "What the clients' addresses look like where they leave by the uplink: masquerade (default: the host's uplink address; a road-warrior pool is private) or none (routed as is; the upstream routes the pool back).",
      ),
    privateKeyFile: RuntimePath.optional().describe("Where the private key is on the host (default /run/secrets/topo/<host>-<if>.key)."),
  })
  .strict()
  .describe("A WireGuard VPN server for road-warrior clients.");
