/**
 * What the composed forward chain does with one packet class: the first fact that matches, in
 * the order the composer writes them (facts.ts), or the final drop. The intent matrix asks this
 * for its forwarding cells, so the matrix and the ruleset come from the same facts; a verify
 * mismatch then means the kernel disagrees with the facts, not two hand-kept copies with each other.
 * Cost: one pass over the host's facts per question (linear in what the host declares).
 */
import { contains } from "../../net/ipv4.js";
import { RANKS, type ForwardFact, type ForwardMatch, type IfaceGroup, type PacketClass } from "./facts.js";

export interface Decision {
  readonly verdict: "accept" | "drop";
  /** The fact that decided; none when the chain's final drop did. */
  readonly fact?: ForwardFact;
}

/** Facts in the order the forward chain lists them: by rank, then as each concept gave them. */
export function ordered(facts: readonly ForwardFact[]): ForwardFact[] {
  return RANKS.flatMap((r) => facts.filter((f) => f.rank === r));
}

const inGroup = (g: IfaceGroup | undefined, iface: string) => g === undefined || g.names.includes(iface);
const inNet = (net: string | undefined, ip: string | undefined) => net === undefined || (ip !== undefined && contains(net.includes("/") ? net : `${net}/32`, ip));

export function matches(m: ForwardMatch, p: PacketClass): boolean {
  if (!inGroup(m.iif, p.iif) || !inGroup(m.oif, p.oif)) return false;
  if (!inNet(m.saddr, p.saddr) || !inNet(m.daddr, p.daddr)) return false;
  if (m.l4 && (m.l4.proto !== p.proto || m.l4.port !== p.port)) return false;
  if (m.spoofed) {
    const bound = m.spoofed.bound.filter((b) => b.iface === p.iif);
    if (!bound.length || p.saddr === undefined || bound.some((b) => contains(b.subnet, p.saddr!))) return false;
  }
  if (m.tuple && !m.tuple.elements.some((e) => e.iif === p.iif && e.oif === p.oif && e.proto === p.proto && e.port === p.port)) return false;
  return true;
}

export function decide(facts: readonly ForwardFact[], p: PacketClass): Decision {
  for (const f of ordered(facts)) if (matches(f.match, p)) return { verdict: f.verdict, fact: f };
  return { verdict: "drop" };
}
