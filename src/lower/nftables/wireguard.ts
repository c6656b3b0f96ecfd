/**
 * nftables for WireGuard: the listen ports peers dial in on (accepted on the uplink only), and
 * masquerade on client tunnels, whose far end (WARP) accepts nothing but the address it assigned.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { anonSet, ifname, ports } from "../../render/nft.js";
import { originComment } from "../../ir/origin.js";
import type { NftRule, NftTable } from "../../render/views.js";
import type { NftPart } from "./parts.js";

export const WIREGUARD_NAT_TABLE = "topo-wireguard";

export function wireguardInputRules(ir: TopologyIR, host: HostIR): NftRule[] {
  return host.wireguard
    .filter((wg) => wg.openOnUplink && wg.listenPort !== undefined)
    .map((wg) => ({
      comment: `${wg.name}: ${originComment(wg.origin, ir.source)}`,
      text: `iifname ${ifname(host.uplink.interface)} udp dport ${ports([wg.listenPort!])} accept`,
    }));
}

export function wireguardTables(ir: TopologyIR, host: HostIR): NftTable[] {
  const masq = host.wireguard.filter((wg) => wg.masquerade);
  if (!masq.length) return [];
  return [
    {
      name: WIREGUARD_NAT_TABLE,
      family: "ip",
      sets: [],
      maps: [],
      chains: [
        {
          name: "postrouting",
          base: { type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" },
          rules: masq.map((wg) => ({
            comment: `${wg.name}: ${originComment(wg.origin, ir.source)}`,
            text: `oifname ${anonSet([ifname(wg.name)])} masquerade`,
          })),
        },
      ],
    },
  ];
}

/** WireGuard's part of the host's nftables: listen ports on the uplink, masquerade on client tunnels. */
export function lowerWireguardNft(ir: TopologyIR, host: HostIR): NftPart {
  return { input: wireguardInputRules(ir, host).map((rule) => ({ rank: "allow" as const, rule })), tables: wireguardTables(ir, host) };
}
