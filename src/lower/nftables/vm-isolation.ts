/**
 * nftables for a VM network, apart from its forward and NAT facts (src/policy/compose/forward.ts,
 * composed in nftables/compose.ts). Isolation is a constant number of rules whatever the number
 * of VMs: the VMs' bridges are a named set, per-VM data (source subnets, gateways, exceptions
 * keyed by (source bridge, destination bridge, protocol, port)) lives in set elements, and the
 * rules only look the sets up. The seed's generator wrote N(N-1) `iifname X oifname Y drop` rules.
 *
 * input: a VM sends only from its own subnet (bind: a spoofed request would have the host's
 * answer delivered to the VM whose address it took); then, unless its bridge is a trusted
 * interface, it goes to `vm_to_host`: its own gateway only (not another VM's, not the host's
 * other addresses), the declared host services and ping, nothing else (not even the host's own
 * open ports). The administrators' interface reaches the host. `sshPort` opens nothing on the
 * host: it is the VMs' SSH, reached from the admin interface.
 */
import type { HostIR, TopologyIR, VmNetworkIR } from "../../ir/types.js";
import { VM_BRIDGES, VM_EXCEPTIONS, VM_SOURCES } from "../../policy/compose/forward.js";
import { addressOf } from "../../net/ipv4.js";
import { ifname, logPrefix } from "../../render/nft.js";
import { originComment } from "../../ir/origin.js";
import type { NftChain, NftRule, NftSet } from "../../render/views.js";
import type { InputRule, NftPart } from "./parts.js";

export { VM_BRIDGES, VM_EXCEPTIONS, VM_SOURCES };
export { FORWARD_DROP_CHAIN, FORWARD_DROP_PREFIX, NAT_TABLE } from "./compose.js";
export const VM_GATEWAYS = "vm_gateways";
export const VM_HOST_SERVICES = "vm_host_services";
export const VM_TO_HOST = "vm_to_host";
export const INPUT_DROP_PREFIX = "INPUT DROP: ";

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
    {
      name: VM_GATEWAYS,
      comment: "each VM's bridge with the one host address it may ask: its own gateway",
      type: "ifname . ipv4_addr",
      elements: net.vms.map((v) => `${ifname(v.bridge)} . ${addressOf(v.hostAddress)}`),
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
  const logDrop: NftRule[] = net.logDrops ? [{ text: `limit rate 5/minute burst 10 packets log prefix ${logPrefix(INPUT_DROP_PREFIX)} level info` }] : [];
  const toHost: NftRule[] = [
    { comment: `${p}: a VM asks the host at its own gateway only`, text: `iifname . ip daddr != @${VM_GATEWAYS} goto ${VM_INPUT_DROP}` },
    ...(net.hostServices.length ? [{ comment: `${p}.hostServices`, text: `meta l4proto . th dport @${VM_HOST_SERVICES} accept` }] : []),
    { text: `icmp type echo-request limit rate 20/second accept` },
    { text: `goto ${VM_INPUT_DROP}` },
  ];
  const input: InputRule[] = [
    { rank: "bind", rule: { comment: `${p}: a VM sends only from its own subnet`, text: `iifname ${vms} iifname . ip saddr != @${VM_SOURCES} goto ${VM_INPUT_DROP}` } },
    { rank: "own", rule: { comment: `${why}: VMs reach only what they may ask the hypervisor for`, text: `iifname ${vms} jump ${VM_TO_HOST}` } },
  ];
  const fw = host.firewall;
  if (net.adminInterface && !fw.trustedInterfaces.includes(net.adminInterface)) {
    input.push({ rank: "allow", rule: { comment: `${p}.adminInterface`, text: `iifname ${ifname(net.adminInterface)} accept` } });
  }
  const chains: NftChain[] = [
    { name: VM_TO_HOST, rules: toHost },
    { name: VM_INPUT_DROP, rules: [...logDrop, { text: "drop" }] },
  ];
  return { sets, input, chains, natSets: [bridgesSet(net, why)] };
}

const VM_INPUT_DROP = "vm_input_drop";

function bridgesSet(net: VmNetworkIR, why: string): NftSet {
  return { name: VM_BRIDGES, comment: `${why}: every VM's bridge`, type: "ifname", elements: net.vms.map((v) => ifname(v.bridge)) };
}
