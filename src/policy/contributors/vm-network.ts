/**
 * Intent of VM networks: what the isolation ruleset (lower/nftables/vm-isolation.ts) must allow
 * and forbid, stated independently of how it is enforced, so `topo verify` can probe it.
 * VMs are isolated from each other except on declared exceptions (and only on their port); VMs
 * reach the internet (masqueraded) and the metadata service; the internet opens no connection to a
 * VM; administrators reach every VM's SSH; a VM reaches its hypervisor only on the declared host
 * services, at its own gateway, unless its bridge is a trusted interface (then on every port).
 */
import type { TopologyIR } from "../../ir/types.js";
import { addressOf } from "../../net/ipv4.js";
import { originComment } from "../../ir/origin.js";
import type { IntentCell, IntentEndpoint, IntentMatrix, IntentScope } from "../intent.js";
import { closedPort, WAN } from "./host-firewall.js";

/** A probe port for "reaches the internet": any port is allowed, this one is probed. */
export const WAN_PROBE_PORT = 443;
export const adminEndpoint = (host: string) => `external.${host}-admin`;
export const metadataEndpoint = (host: string) => `external.${host}-metadata`;

export function vmNetworkIntent(ir: TopologyIR, scope?: IntentScope): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  for (const host of ir.hosts) {
    const net = host.vmNetwork;
    if (!net || net.vms.length === 0) continue;
    const base = originComment(net.origin, ir.source);
    const id = (vm: string) => `${host.name}.${vm}`;
    endpoints.push({ id: WAN, kind: "external", host: "*" });
    const fw = host.firewall;
    const trusted = new Set(fw.trustedInterfaces);
    // A port neither the host firewall nor the host services open (the host's SSH, say, is not the VMs').
    const hostProbe = closedPort([...fw.tcp, ...net.hostServices.filter((x) => x.proto === "tcp").map((x) => x.port)], fw.tcpRanges);
    for (const vm of net.vms) endpoints.push({ id: id(vm.name), kind: "vm", host: host.name, address: addressOf(vm.guestAddress) });

    // Within a scope, only the pairs it asks about: all pairs of VMs is the one quadratic walk here
    // (a scope that names its pairs one by one is walked by those alone).
    const peers = scope ? net.vms.filter((b) => scope.to(id(b.name))) : net.vms;
    const byId = new Map(net.vms.map((vm) => [id(vm.name), vm] as const));
    const exceptionsOf = new Map<string, typeof net.exceptions[number][]>();
    for (const e of net.exceptions) exceptionsOf.set(`${e.from}\u0000${e.to}`, [...(exceptionsOf.get(`${e.from}\u0000${e.to}`) ?? []), e]);
    const peersOf = (a: string) => {
      if (!scope) return peers;
      if (!scope.from(id(a))) return [];
      const named = scope.peers?.(id(a));
      return named ? [...named].flatMap((x) => byId.get(x) ?? []) : peers;
    };
    for (const a of net.vms) {
      for (const b of peersOf(a.name)) {
        if (a === b) continue;
        const open = exceptionsOf.get(`${a.name}\u0000${b.name}`) ?? [];
        for (const e of open) cells.push({ from: id(a.name), to: id(b.name), proto: e.proto, port: e.port, allowed: true, reason: originComment(e.origin, ir.source) });
        // Isolation: ping, SSH, and every exception's port in the other direction are closed.
        cells.push({ from: id(a.name), to: id(b.name), proto: "icmp", allowed: false, reason: `${base}: VMs are isolated` });
        if (!open.some((e) => e.proto === "tcp" && e.port === net.sshPort)) {
          cells.push({ from: id(a.name), to: id(b.name), proto: "tcp", port: net.sshPort, allowed: false, reason: `${base}: VMs are isolated` });
        }
      }
      cells.push({ from: id(a.name), to: WAN, proto: "tcp", port: WAN_PROBE_PORT, allowed: true, reason: `${net.origin.path}.uplink` });
      cells.push({ from: WAN, to: id(a.name), proto: "tcp", port: net.sshPort, allowed: false, reason: `${net.origin.path}.uplink: only established traffic comes back` });
      // Host services, asked for at the VM's gateway (its bridge address), and only there.
      for (const s of net.hostServices) cells.push({ from: id(a.name), to: host.name, toAddress: a.gateway, proto: s.proto, port: s.port, allowed: true, reason: `${net.origin.path}.hostServices` });
      // Anything else of the host: only when the VM's bridge is a trusted interface (input: trusted before the VM's own rules).
      cells.push({
        from: id(a.name),
        to: host.name,
        toAddress: a.gateway,
        proto: "tcp",
        port: hostProbe,
        allowed: trusted.has(a.bridge),
        reason: trusted.has(a.bridge) ? `${fw.origin.path}.trustedInterfaces has ${a.bridge}: the VM reaches every port of the host` : `${net.origin.path}: VMs reach the hypervisor only on hostServices`,
      });
    }
    // An exception opens its port only, and only in its direction.
    for (const e of net.exceptions) {
      const closed = [
        { from: e.from, to: e.to, port: e.port === 1 ? 2 : e.port - 1 },
        { from: e.to, to: e.from, port: e.port },
      ];
      for (const c of closed) {
        if (scope && !scope.has(id(c.from), id(c.to))) continue;
        if (net.exceptions.some((x) => x.from === c.from && x.to === c.to && x.proto === e.proto && x.port === c.port)) continue;
        cells.push({ from: id(c.from), to: id(c.to), proto: e.proto, port: c.port, allowed: false, reason: `${originComment(e.origin, ir.source)}: only this port, only this way` });
      }
    }
    if (net.adminInterface) {
      const admin = adminEndpoint(host.name);
      endpoints.push({ id: admin, kind: "external", host: host.name });
      for (const vm of net.vms) cells.push({ from: admin, to: id(vm.name), proto: "tcp", port: net.sshPort, allowed: true, reason: `${net.origin.path}.adminInterface` });
    }
    if (net.metadata) {
      const md = metadataEndpoint(host.name);
      endpoints.push({ id: md, kind: "external", host: host.name, address: net.metadata.address });
      for (const vm of net.vms) cells.push({ from: id(vm.name), to: md, proto: "tcp", port: net.metadata.port, allowed: true, reason: originComment(net.metadata.origin, ir.source) });
    }
  }
  return { endpoints, cells };
}
