/**
 * The host's input chain: what may talk to the host itself. Policy drop. In order:
 * established traffic and loopback; other concepts' source checks (bind); the trusted interfaces
 * (a trusted interface reaches every port of the host, a VM's bridge included); other concepts'
 * own endpoints (VMs go to `vm_to_host`); their accepts (listen ports, an admin interface); ICMP
 * and the open ports; the rest is logged (rate-limited) and dropped.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { anonSet, ifname, logPrefix, ports } from "../../render/nft.js";
import { originComment } from "../../ir/origin.js";
import type { NftRule } from "../../render/views.js";
import type { InputRank, InputRule } from "./parts.js";

/** `guards`: other concepts' rules, placed by rank (nftables/parts.ts). */
export function inputRules(ir: TopologyIR, host: HostIR, guards: readonly InputRule[] = []): NftRule[] {
  const fw = host.firewall;
  const why = originComment(fw.origin, ir.source);
  const ranked = (r: InputRank) => guards.filter((g) => g.rank === r).map((g) => g.rule);
  const rules: NftRule[] = [{ text: "ct state vmap { invalid : drop, established : accept, related : accept }" }, { text: `iifname "lo" accept` }, ...ranked("bind")];
  if (fw.trustedInterfaces.length) {
    rules.push({ comment: `${fw.origin.path}.trustedInterfaces`, text: `iifname ${anonSet(fw.trustedInterfaces.map(ifname))} accept` });
  }
  rules.push(...ranked("own"), ...ranked("allow"));
  // IPv6 neighbour discovery must pass or IPv6 breaks; ping only when allowed.
  rules.push({ text: `icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, nd-router-solicit } accept` });
  if (fw.allowPing) rules.push({ comment: `${fw.origin.path}.allowPing`, text: `icmp type echo-request limit rate 20/second accept` });
  if (host.uplink.dhcp) rules.push({ comment: originComment(host.uplink.origin, ir.source), text: `iifname ${ifname(host.uplink.interface)} udp sport 67 udp dport 68 accept` });
  if (fw.tcp.length || fw.tcpRanges.length) rules.push({ comment: why, text: `tcp dport ${ports(fw.tcp, fw.tcpRanges)} accept` });
  if (fw.udp.length || fw.udpRanges.length) rules.push({ comment: why, text: `udp dport ${ports(fw.udp, fw.udpRanges)} accept` });
  return rules;
}

export function inputDropLog(host: HostIR): NftRule[] {
  return host.firewall.logDrops ? [{ text: `limit rate 5/minute burst 10 packets log prefix ${logPrefix("topo input drop: ")} level info` }] : [];
}
