/**
 * The composer: one host's forward chain and NAT table from every concept's typed facts
 * (src/policy/compose/), in the documented order of precedence (facts.ts):
 *   conntrack -> bind (source binding) -> own (a concept's own endpoints, its order) ->
 *   route (accepts between the host's other interfaces) -> logged drop.
 * No concept writes nftables text for the forward or NAT chains itself; each states facts, and
 * this file is the only place they become rules, so two concepts cannot override each other by
 * the order their lowerings happen to run in.
 */
import type { ForwardFact, ForwardMatch, HostPolicyFacts, IfaceGroup, NatFact } from "../../policy/compose/facts.js";
import { ordered } from "../../policy/compose/decide.js";
import { anonSet, ifname, logPrefix } from "../../render/nft.js";
import type { NftChain, NftRule, NftSet, NftTable } from "../../render/views.js";

export const FORWARD_DROP_CHAIN = "forward_drop";
/** The seed's log prefix (`journalctl -k | grep "FORWARD DROP"`). */
export const FORWARD_DROP_PREFIX = "FORWARD DROP: ";
export const NAT_TABLE = "topo-nat";

const CONNTRACK = "ct state vmap { invalid : drop, established : accept, related : accept }";

function ifaces(key: "iifname" | "oifname", g: IfaceGroup): string {
  return g.set ? `${key} @${g.set}` : `${key} ${anonSet(g.names.map(ifname))}`;
}

/** The match as nft expressions, in a fixed order (interfaces, bindings, addresses, ports). */
export function renderMatch(m: ForwardMatch): string[] {
  const out: string[] = [];
  if (m.iif) out.push(ifaces("iifname", m.iif));
  if (m.spoofed) out.push(`iifname . ip saddr != @${m.spoofed.set}`);
  if (m.tuple) out.push(`iifname . oifname . meta l4proto . th dport @${m.tuple.set}`);
  if (m.saddr) out.push(`ip saddr ${m.saddr}`);
  if (m.oif) out.push(ifaces("oifname", m.oif));
  if (m.daddr) out.push(`ip daddr ${m.daddr}`);
  if (m.l4) out.push(`${m.l4.proto} dport ${m.l4.port}`);
  return out;
}

function forwardRule(f: ForwardFact): NftRule {
  const verdict = f.verdict === "accept" ? "accept" : `goto ${FORWARD_DROP_CHAIN}`;
  return { comment: f.why, text: [...renderMatch(f.match), verdict].join(" ") };
}

/** The forward chain and its drop chain; none when the host forwards nothing and no fact asks. */
export function composeForward(facts: HostPolicyFacts, forwards: boolean): NftChain[] {
  if (!forwards && facts.forward.length === 0) return [];
  return [
    {
      name: "forward",
      base: { type: "filter", hook: "forward", priority: "filter", policy: "drop" },
      rules: [{ text: CONNTRACK }, ...ordered(facts.forward).map(forwardRule), { text: `goto ${FORWARD_DROP_CHAIN}` }],
    },
    {
      name: FORWARD_DROP_CHAIN,
      rules: [...(facts.logForwardDrops ? [{ text: `limit rate 5/minute burst 10 packets log prefix ${logPrefix(FORWARD_DROP_PREFIX)} level info` }] : []), { text: "drop" }],
    },
  ];
}

function natRule(f: NatFact): NftRule {
  const action = f.action.kind === "masquerade" ? "counter masquerade" : `counter dnat to ${f.action.to}`;
  return { comment: f.why, text: [...renderMatch(f.match), action].join(" ") };
}

/** `ip topo-nat`: every concept's translations; `sets` are the named sets its rules look up. */
export function composeNat(facts: HostPolicyFacts, sets: readonly NftSet[]): NftTable | undefined {
  if (!facts.nat.length) return undefined;
  const pre = facts.nat.filter((f) => f.hook === "prerouting").map(natRule);
  const post = facts.nat.filter((f) => f.hook === "postrouting").map(natRule);
  const chains: NftChain[] = [];
  if (pre.length) chains.push({ name: "prerouting", base: { type: "nat", hook: "prerouting", priority: "dstnat", policy: "accept" }, rules: pre });
  if (post.length) chains.push({ name: "postrouting", base: { type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" }, rules: post });
  const used = new Set(facts.nat.flatMap((f) => [f.match.iif?.set, f.match.oif?.set]).filter((s): s is string => s !== undefined));
  return { name: NAT_TABLE, family: "ip", sets: sets.filter((s) => used.has(s.name)), maps: [], chains };
}
