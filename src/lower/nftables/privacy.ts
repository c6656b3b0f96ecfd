/**
 * The host half of fail-closed privacy (table `inet topo-privacy`). On the bridge, flows send a
 * privacy container's traffic only to the host (lower/ovs/guards.ts); here the host lets it leave
 * only by its tunnel. When the tunnel is down its routes are gone and the traffic would fall
 * through to the main table and the uplink: this table drops it instead. Privacy containers may
 * not use the host itself either (its resolver would leak their DNS outside the tunnel). Only what
 * they start is held back (ct state new): replies to connections others open to them (VPN clients
 * of a gateway, a peer over the mesh) go back the way routing says. The drops count, so operators
 * (and the lab's leak test) see the guard at work.
 * Base chains at priority filter - 1: a drop here is final whatever other tables accept.
 */
import type { HostIR, OvsBridgeIR, TopologyIR } from "../../ir/types.js";
import { ifname } from "../../render/nft.js";
import { originComment } from "../../ir/origin.js";
import type { NftRule } from "../../render/views.js";
import type { NftPart } from "./parts.js";

export const PRIVACY_TABLE = "topo-privacy";

interface Guarded {
  readonly bridge: string;
  readonly address: string;
  readonly tunnel?: string;
  readonly why: string;
}

/**
 * Sources that must leave by a tunnel (or not at all): privacy containers and every container hop of a
 * chain that ends in a tunnel. Keyed by source address, which is sound because each guarded port
 * admits only its own sources (lower/ovs/guards.ts): a container cannot take another's address.
 */
export function privacySources(ir: TopologyIR, host: HostIR): Guarded[] {
  const out = new Map<string, Guarded>();
  for (const ch of host.chains) {
    const last = ch.hops[ch.hops.length - 1]!;
    if (!ch.failClosed || last.kind !== "tunnel") continue;
    // Every hop's traffic reaches the host with its own source (the hops relay, they do not NAT).
    for (const hop of ch.hops) {
      if (hop.kind !== "container") continue;
      out.set(hop.address!, { bridge: ch.bridge, address: hop.address!, tunnel: last.name, why: `${originComment(ch.origin, ir.source)}: ${hop.name} leaves only by ${last.name}` });
    }
  }
  for (const br of host.bridges.filter((b): b is OvsBridgeIR => b.kind === "ovs")) {
    for (const a of br.ovs.attachments) {
      if (a.kind !== "container" || a.role !== "privacy" || out.has(a.address!)) continue;
      const c = host.containers.find((x) => x.name === a.container)!;
      out.set(a.address!, {
        bridge: br.name,
        address: a.address!,
        ...(a.tunnel ? { tunnel: a.tunnel } : {}),
        why: `${originComment(c.origin, ir.source)}: ${a.container} (privacy) ${a.tunnel ? `leaves only by ${a.tunnel}` : "has no tunnel: it leaves by nothing"}`,
      });
    }
  }
  return [...out.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

export function lowerPrivacyGuard(ir: TopologyIR, host: HostIR): NftPart {
  const sources = privacySources(ir, host);
  if (!sources.length) return {};
  const forward: NftRule[] = sources.map((s) => ({
    comment: s.why,
    text: s.tunnel
      ? `iifname ${ifname(s.bridge)} ip saddr ${s.address} ct state new oifname != ${ifname(s.tunnel)} counter drop`
      : `iifname ${ifname(s.bridge)} ip saddr ${s.address} ct state new counter drop`,
  }));
  const input: NftRule[] = sources.map((s) => ({ comment: s.why, text: `iifname ${ifname(s.bridge)} ip saddr ${s.address} ct state new counter drop` }));
  return {
    tables: [
    {
      name: PRIVACY_TABLE,
      family: "inet",
      sets: [],
      maps: [],
      chains: [
        { name: "forward", base: { type: "filter", hook: "forward", priority: "filter - 1", policy: "accept" }, rules: forward },
        { name: "input", base: { type: "filter", hook: "input", priority: "filter - 1", policy: "accept" }, rules: input },
      ],
    },
    ],
  };
}
