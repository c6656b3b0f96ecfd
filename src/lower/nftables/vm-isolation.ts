/**
 * nftables for a VM network. Isolation is a constant number of rules whatever the number of VMs:
 * the VMs' bridges are a named set, per-VM data (bridge names, source subnets, exceptions keyed by
 * (source bridge, destination bridge, protocol, port)) lives in set elements, and the rules only
 * look the sets up. The seed's generator wrote N(N-1) `iifname X oifname Y drop` rules instead.
 *
 * forward (policy drop, after established/related and invalid): spoofed sources dropped, declared
 * exceptions accepted, any other VM to VM dropped, admin to VM accepted, VM to the metadata service
 * and to the uplink accepted, new connections from the uplink to a VM dropped.
 * input: traffic from a VM to the hypervisor goes to `vm_to_host`: the declared host services
 * and ping, nothing else (not even the host's own open ports).
 */
import type { HostIR, TopologyIR, VmNetworkIR } from "../../ir/types.js";
import { ifname, logPrefix } from "../../render/nft.js";
import { originComment } from "../../ir/origin.js";
import type { NftChain, NftRule, NftSet, NftTable } from "../../render/views.js";
import type { NftPart } from "./parts.js";

export const VM_BRIDGES = "vm_bridges";
export const VM_SOURCES = "vm_sources";
export const VM_EXCEPTIONS = "vm_exceptions";
export const VM_HOST_SERVICES = "vm_host_services";
export const VM_TO_HOST = "vm_to_host";
export const NAT_TABLE = "topo-nat";
/** The seed's log prefixes (`journalctl -k | grep "FORWARD DROP"`). */
export const FORWARD_DROP_PREFIX = "FORWARD DROP: ";
export const INPUT_DROP_PREFIX = "INPUT DROP: ";
/** The regular chain every forward drop goes through (see nftables/index.ts). */
export const FORWARD_DROP_CHAIN = "forward_drop";

export function lowerVmIsolation(ir: TopologyIR, host: HostIR): NftPart {
  const net = host.vmNetwork;
  if (!net || net.vms.length === 0) return {};
  const why = originComment(net.origin, ir.source);
  const p = net.origin.path;
  const bridgeOf = new Map(net.vms.map((v) => [v.name, v.bridge]));
  const sets: NftSet[] = [
    bridgesSet(net, why),
    {
      name: VM_SOURCES,
      comment: "each VM's bridge with the only source addresses it may use",
      type: "ifname . ipv4_addr",
      flags: ["interval"],
      elements: net.vms.map((v) => `${ifname(v.bridge)} . ${v.subnet}`),
    },
  ];
  if (net.exceptions.length) {
    sets.push({
      name: VM_EXCEPTIONS,
      comment: `${p}.exceptions: (source bridge, destination bridge, protocol, port) allowed through the isolation`,
      type: "ifname . ifname . inet_proto . inet_service",
      elements: net.exceptions.map((e) => `${ifname(bridgeOf.get(e.from)!)} . ${ifname(bridgeOf.get(e.to)!)} . ${e.proto} . ${e.port}`),
    });
  }
  if (net.hostServices.length) {
    sets.push({
      name: VM_HOST_SERVICES,
      comment: `${p}.hostServices: what VMs may ask the hypervisor for`,
      type: "inet_proto . inet_service",
      elements: net.hostServices.map((s) => `${s.proto} . ${s.port}`),
    });
  }

  const vms = `@${VM_BRIDGES}`;
  const uplink = ifname(net.uplink);
  const forward: NftRule[] = [
    { comment: `${p}: a VM sends only from its own subnet`, text: `iifname ${vms} iifname . ip saddr != @${VM_SOURCES} goto ${FORWARD_DROP_CHAIN}` },
    ...(net.exceptions.length ? [{ comment: `${p}.exceptions`, text: `iifname . oifname . meta l4proto . th dport @${VM_EXCEPTIONS} accept` }] : []),
    { comment: `${why}: VMs are isolated from each other`, text: `iifname ${vms} oifname ${vms} goto ${FORWARD_DROP_CHAIN}` },
  ];
  if (net.adminInterface) forward.push({ comment: `${p}.adminInterface: administrators reach every VM`, text: `iifname ${ifname(net.adminInterface)} oifname ${vms} accept` });
  if (net.metadata) {
    forward.push({ comment: originComment(net.metadata.origin, ir.source), text: `iifname ${vms} ip daddr ${net.metadata.address} tcp dport ${net.metadata.port} accept` });
  }
  forward.push(
    { comment: `${p}.uplink: VMs reach the internet (masqueraded in ${NAT_TABLE})`, text: `iifname ${vms} oifname ${uplink} accept` },
    { comment: `${p}.uplink: the internet opens no connection to a VM`, text: `iifname ${uplink} oifname ${vms} goto ${FORWARD_DROP_CHAIN}` },
  );

  const toHost: NftRule[] = [
    ...(net.hostServices.length ? [{ comment: `${p}.hostServices`, text: `meta l4proto . th dport @${VM_HOST_SERVICES} accept` }] : []),
    { text: `icmp type echo-request limit rate 20/second accept` },
    ...(net.logDrops ? [{ text: `limit rate 5/minute burst 10 packets log prefix ${logPrefix(INPUT_DROP_PREFIX)} level info` }] : []),
    { text: "drop" },
  ];
  const inputGuards: NftRule[] = [{ comment: `${why}: VMs reach only what they may ask the hypervisor for`, text: `iifname ${vms} jump ${VM_TO_HOST}` }];
  const fw = host.firewall;
  if (net.adminInterface && !fw.trustedInterfaces.includes(net.adminInterface)) {
    inputGuards.push({ comment: `${p}.adminInterface`, text: `iifname ${ifname(net.adminInterface)} accept` });
  }
  if (!fw.tcp.includes(net.sshPort) && !fw.tcpRanges.some((r) => r.from <= net.sshPort && net.sshPort <= r.to)) {
    inputGuards.push({ comment: `${p}.sshPort`, text: `tcp dport ${net.sshPort} accept` });
  }

  const chains: NftChain[] = [{ name: VM_TO_HOST, rules: toHost }];
  return { sets, inputGuards, forward, forwardLog: net.logDrops, chains, tables: [natTable(ir, net, why)] };
}

function bridgesSet(net: VmNetworkIR, why: string): NftSet {
  return { name: VM_BRIDGES, comment: `${why}: every VM's bridge`, type: "ifname", elements: net.vms.map((v) => ifname(v.bridge)) };
}

/**
 * `ip topo-nat`: VMs masqueraded out of the uplink; metadata requests DNATed and masqueraded (the
 * service answers only the host). Counters show operators (and the lab) that the rules are hit.
 */
function natTable(ir: TopologyIR, net: VmNetworkIR, why: string): NftTable {
  const vms = `@${VM_BRIDGES}`;
  const pre: NftRule[] = [];
  const post: NftRule[] = [];
  if (net.metadata) {
    const m = net.metadata;
    const mwhy = originComment(m.origin, ir.source);
    pre.push({ comment: mwhy, text: `iifname ${vms} ip daddr ${m.address} tcp dport ${m.port} counter dnat to ${m.address}:${m.port}` });
    post.push({ comment: mwhy, text: `iifname ${vms} ip daddr ${m.address} tcp dport ${m.port} counter masquerade` });
  }
  post.push({ comment: `${net.origin.path}.uplink`, text: `iifname ${vms} oifname ${ifname(net.uplink)} counter masquerade` });
  const chains: NftChain[] = [];
  if (pre.length) chains.push({ name: "prerouting", base: { type: "nat", hook: "prerouting", priority: "dstnat", policy: "accept" }, rules: pre });
  chains.push({ name: "postrouting", base: { type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" }, rules: post });
  return { name: NAT_TABLE, family: "ip", sets: [bridgesSet(net, why)], maps: [], chains };
}
