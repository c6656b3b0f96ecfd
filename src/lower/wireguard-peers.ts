/**
 * WireGuard peers, apart from the netdev: `topo.wireguard.peers.<interface>` (hosts/<host>/wireguard.nix,
 * plain data in the flat `wireguardPeers` shape), applied by the hand-written module
 * wireguard-peers.nix (copied next to it with its two helpers) through one oneshot service per
 * interface that removes the peers that left and `wg addconf`s the others.
 *
 * Why not `wireguardPeers` in the .netdev: on switch, a changed .netdev restarts systemd-networkd
 * (NixOS's restartTriggers), and networkd re-applying a WireGuard netdev replaces all its peers
 * (systemd/systemd#38196; learned endpoints are forgotten, #21877): adding one mesh member would
 * cut every tunnel of the interface. With the peers here, the .netdev does not change when members
 * come and go, and the tunnels that exist keep their sessions.
 */
import type { HostIR, TopologyIR, WgPeerIR } from "../ir/types.js";
import { commented, type NixAttrs, type NixValue } from "../render/nix.js";
import { originComment } from "../ir/origin.js";
import { moduleCopy } from "./module-copies.js";
import type { GeneratedFile, ModuleView } from "../render/views.js";

export const PEERS_MODULE = "wireguard-peers.nix";
/** The module's helpers: the wg(8) renderer (builtins only) and the sync script. */
export const PEERS_HELPERS = ["wireguard-peers-conf.nix", "wireguard-peers-sync.sh"] as const;
export const PEERS_DATA_FILE = "wireguard.nix";

export interface WireguardPeersLowered {
  readonly module?: ModuleView;
  readonly files: readonly GeneratedFile[];
  readonly imports: readonly string[];
}

/** One peer as NixOS's `wireguardPeers` spells it (and wg(8) after wireguard-peers-conf.nix). */
export function peerAttrs(p: WgPeerIR): NixAttrs {
  return {
    PublicKey: p.publicKey,
    AllowedIPs: [...p.allowedIPs],
    ...(p.endpoint ? { Endpoint: p.endpoint } : {}),
    ...(p.keepalive ? { PersistentKeepalive: p.keepalive } : {}),
  };
}

export function lowerWireguardPeers(ir: TopologyIR, host: HostIR): WireguardPeersLowered {
  if (!host.wireguard.length) return { files: [], imports: [] };
  const peers: Record<string, NixValue> = {};
  for (const wg of host.wireguard) {
    peers[wg.name] = commented(
      originComment(wg.origin, ir.source),
      wg.peers.map((p) => commented(`${p.name}: ${originComment(p.origin, ir.source)}`, peerAttrs(p))),
    );
  }
  return {
    module: {
      file: PEERS_DATA_FILE,
      summary: "WireGuard peers, applied one by one after networkd by topo-wg-peers-<interface>.service (wireguard-peers.nix).",
      value: { topo: { wireguard: { peers } } },
    },
    files: [PEERS_MODULE, ...PEERS_HELPERS].map((f) => ({ path: `hosts/${host.name}/${f}`, text: moduleCopy(f) })),
    imports: [`./${PEERS_MODULE}`],
  };
}

