/**
 * NixOS declarative containers (hosts/<host>/containers.nix) for containers with runtime "nixos".
 * On a Linux bridge nspawn enslaves the container's veth itself (hostBridge, with localAddress
 * carrying the subnet's prefix, as the module documents). An OVS bridge is not a Linux bridge
 * master, so there the container gets an extra veth named like its port (`--network-veth-extra`,
 * the same name on both sides) and topo's late-port service attaches the host side when it
 * appears. That extra veth carries no localAddress: without hostBridge, nixos-containers.nix
 * routes it on the host (`ip route add <localAddress> dev <veth>`), which the kernel refuses for
 * a prefix with host bits set, and a /32 route would take the host's traffic around the bridge's
 * flows. The container's own networking addresses the veth instead (networking.interfaces).
 * Containers of runtime "external" (Proxmox/LXC) get nothing here: topo owns only their networking.
 */
import type { ContainerIR, HostIR, TopologyIR } from "../../ir/types.js";
import { addressOf, parseCidr } from "../../net/ipv4.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import { originComment } from "../../ir/origin.js";
import type { ModuleView } from "../../render/views.js";

export function lowerContainers(ir: TopologyIR, host: HostIR): ModuleView | undefined {
  const nixos = host.containers.filter((c) => c.runtime === "nixos");
  if (!nixos.length) return undefined;
  const containers: Record<string, ReturnType<typeof commented>> = {};
  for (const c of nixos) containers[c.name] = commented(originComment(c.origin, ir.source), container(host, c));
  return { file: "containers.nix", summary: "NixOS declarative containers on the host's bridges (runtime \"nixos\").", value: { containers: containers as NixAttrs } };
}

function container(host: HostIR, c: ContainerIR): NixAttrs {
  const br = host.bridges.find((b) => b.name === c.bridge)!;
  const ovs = br.kind === "ovs";
  // Inside: eth0 on a Linux bridge (nspawn renames host0), the port's own name on OVS.
  const iface = ovs ? c.port : "eth0";
  const relays = host.chains.some((ch) => ch.hops.slice(0, -1).some((h, i) => i > 0 && h.kind === "container" && h.name === c.name));
  const tcp = c.services.filter((s) => s.proto === "tcp").map((s) => s.port);
  const udp = c.services.filter((s) => s.proto === "udp").map((s) => s.port);
  const config: NixAttrs = {
    system: { stateVersion: host.stateVersion },
    networking: {
      ...(ovs ? { interfaces: { [iface]: { ipv4: { addresses: [{ address: addressOf(c.address), prefixLength: parseCidr(c.address).prefix }] } } } } : {}),
      ...(c.gateway ? { defaultGateway: { address: c.gateway, interface: iface } } : {}),
      ...(tcp.length || udp.length ? { firewall: { ...(tcp.length ? { allowedTCPPorts: tcp } : {}), ...(udp.length ? { allowedUDPPorts: udp } : {}) } } : {}),
    },
    // A hop in the middle of a chain forwards the traffic it relays, and never redirects the hop
    // before it around itself (its gateway is on the same segment; the switch drops redirects too).
    ...(relays ? { boot: { kernel: { sysctl: { "net.ipv4.conf.all.forwarding": true, "net.ipv4.conf.all.send_redirects": false } } } } : {}),
  };
  return {
    autoStart: true,
    privateNetwork: true,
    ...(ovs ? { extraVeths: { [c.port]: {} } } : { hostBridge: c.bridge, localAddress: c.address }),
    config,
  };
}
