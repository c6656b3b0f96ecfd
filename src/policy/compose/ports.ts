/**
 * The Open vSwitch side of the composed policy: one typed fact per guarded container port, from
 * every concept that guards one (chains first, then roles). lower/ovs/guards.ts turns these facts
 * into flows; the intent (policy/contributors/ovs.ts) reads the same facts, so the switch's
 * isolation and the matrix verify probes cannot drift apart.
 *
 * A guarded port is bound to its sources: its own address, and for a hop that relays a chain the
 * addresses of the hops before it (they forward without NAT). Isolation keys on the port, which a
 * container cannot change; the host's privacy guard may then key on those addresses.
 */
import type { ChainHopIR, ChainIR, OvsAttachmentIR } from "../../ir/ovs.js";
import type { HostIR, OvsBridgeIR, Origin } from "../../ir/types.js";

/** Where a guarded port's traffic goes: the host (LOCAL) or the next hop's port. */
export type WayOut = { readonly kind: "host" } | { readonly kind: "hop"; readonly port: string; readonly address: string };

export interface PortGuardFact {
  readonly att: OvsAttachmentIR;
  /** chain: a hop of a chain; privacy/management: the container's role. */
  readonly kind: "chain" | "privacy" | "management";
  readonly origin: Origin;
  readonly wayOut: WayOut;
  /** Who may send to it besides its chain neighbours: the host (every guarded port, today). */
  readonly fromHost: boolean;
  readonly dns?: string;
  /** Source addresses the port may send from. */
  readonly sources: readonly string[];
  /** The port relays the traffic of a hop before it (its ICMP redirects are dropped). */
  readonly relays: boolean;
  /** For chain hops: the chain, its index among the host's chains, and the container hop before. */
  readonly chain?: { readonly ir: ChainIR; readonly index: number; readonly prev?: ChainHopIR; readonly next?: ChainHopIR };
  /** The tunnel it leaves by: its chain's last hop, or the tunnel whose usedBy names it. */
  readonly exit?: string;
}

/** Guarded ports of one bridge, sorted by port name. */
export function portGuards(host: HostIR, br: OvsBridgeIR): PortGuardFact[] {
  const atts = new Map(br.ovs.attachments.map((a) => [a.name, a]));
  const guards = new Map<string, PortGuardFact>();
  host.chains.forEach((ch, index) => {
    if (ch.bridge !== br.name) return;
    const last = ch.hops[ch.hops.length - 1]!;
    ch.hops.forEach((hop, i) => {
      if (hop.kind !== "container") return;
      const next = ch.hops[i + 1];
      const prev = ch.hops[i - 1];
      const wayOut: WayOut = next?.kind === "container" ? { kind: "hop", port: next.port, address: next.address! } : { kind: "host" };
      guards.set(hop.port, {
        att: atts.get(hop.port)!,
        kind: "chain",
        origin: ch.origin,
        wayOut,
        // Every hop takes traffic from the host: the replies to its own traffic and the entrance's
        // come back from the tunnel through the host, which delivers them to the hop's address.
        fromHost: true,
        ...(i === 0 && ch.dns ? { dns: ch.dns } : {}),
        sources: ch.hops.slice(0, i + 1).filter((h) => h.kind === "container").map((h) => h.address!),
        relays: prev?.kind === "container",
        chain: { ir: ch, index, ...(prev?.kind === "container" ? { prev } : {}), ...(next?.kind === "container" ? { next } : {}) },
        ...(last.kind === "tunnel" ? { exit: last.name } : {}),
      });
    });
  });
  for (const att of br.ovs.attachments) {
    if (att.kind !== "container" || guards.has(att.name)) continue;
    if (att.role !== "privacy" && att.role !== "management") continue;
    const c = host.containers.find((x) => x.name === att.container)!;
    guards.set(att.name, {
      att,
      kind: att.role,
      origin: c.origin,
      wayOut: { kind: "host" },
      fromHost: true,
      sources: [att.address!],
      relays: false,
      ...(att.role === "privacy" && att.tunnel ? { exit: att.tunnel } : {}),
    });
  }
  return [...guards.values()].sort((a, b) => (a.att.name < b.att.name ? -1 : a.att.name > b.att.name ? 1 : 0));
}
