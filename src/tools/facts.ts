/**
 * The fleet as the review tools (graph, diff) see it: every host's bridges, containers, VMs,
 * tunnels, VPN servers, chains, and the meshes between hosts, read from the IR in one place, so
 * that a change of the IR changes this file and not every tool.
 */
import type { ContainerIR, HostIR, HostServiceIR, RouteIR, TopologyIR, VmExceptionIR, VmIR } from "../ir/types.js";
import type { MeshIR } from "../ir/wireguard.js";

export interface BridgeFacts {
  readonly name: string;
  readonly kind: "linux" | "ovs";
  readonly address?: string;
  /** Ports declared on the bridge itself (Linux ports, OVS extra ports). */
  readonly ports: readonly string[];
  readonly flows: number;
}

export type VmFacts = VmIR;
export type VmExceptionFacts = VmExceptionIR;

export interface TunnelFacts {
  readonly name: string;
  readonly endpoint?: string;
  readonly address?: string;
  readonly bridge?: string;
  readonly usedBy: readonly string[];
}

export interface VpnServerFacts {
  readonly name: string;
  readonly listenPort?: number;
  readonly pool?: string;
  readonly clients: readonly { readonly name: string; readonly address?: string }[];
}

export interface ChainFacts {
  readonly name: string;
  readonly bridge?: string;
  readonly hops: readonly string[];
}

export interface HostFacts {
  readonly name: string;
  readonly ir: HostIR;
  readonly bridges: readonly BridgeFacts[];
  readonly containers: readonly ContainerIR[];
  readonly services: readonly HostServiceIR[];
  readonly routes: readonly RouteIR[];
  readonly vms: readonly VmFacts[];
  readonly vmExceptions: readonly VmExceptionFacts[];
  readonly vmAdminInterface?: string;
  readonly tunnels: readonly TunnelFacts[];
  readonly vpnServers: readonly VpnServerFacts[];
  readonly chains: readonly ChainFacts[];
}

export interface MeshMemberFacts {
  readonly host: string;
  readonly address?: string;
  readonly endpoint?: string;
  readonly publishes: readonly string[];
}

export interface MeshFacts {
  readonly name: string;
  readonly interface?: string;
  readonly subnet?: string;
  readonly listenPort?: number;
  readonly shape?: string;
  readonly hub?: string;
  readonly members: readonly MeshMemberFacts[];
}

export interface FleetFacts {
  readonly name: string;
  readonly hosts: readonly HostFacts[];
  readonly meshes: readonly MeshFacts[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const opt = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]: V }));

function bridgeFacts(b: HostIR["bridges"][number]): BridgeFacts {
  if (b.kind === "linux") return { name: b.name, kind: "linux", ...opt("address", b.address), ports: [...b.ports], flows: 0 };
  const declared = b.ovs.attachments.filter((a) => a.kind === "port").map((a) => a.name).sort();
  return { name: b.name, kind: "ovs", ...opt("address", b.address), ports: declared, flows: b.ovs.flows.length };
}

export function hostFacts(h: HostIR): HostFacts {
  const vms = [...(h.vmNetwork?.vms ?? [])];
  const vmExceptions = [...(h.vmNetwork?.exceptions ?? [])];
  const tunnels: TunnelFacts[] = h.tunnels
    .map((t) => ({ name: t.name, endpoint: t.endpoint, address: t.address, ...opt("bridge", t.bridge), usedBy: t.users.map((u) => u.ref) }))
    .sort(byName);
  const vpnServers: VpnServerFacts[] = h.vpnServers
    .map((v) => ({ name: v.name, listenPort: v.listenPort, pool: v.pool, clients: v.clients.map((c) => ({ name: c.name, address: c.address })).sort(byName) }))
    .sort(byName);
  const chains: ChainFacts[] = h.chains.map((c) => ({ name: c.name, bridge: c.bridge, hops: c.hops.map((x) => x.name) })).sort(byName);
  return {
    name: h.name,
    ir: h,
    bridges: h.bridges.map(bridgeFacts).sort(byName),
    containers: [...h.containers],
    services: [...h.services],
    routes: [...h.routes],
    vms,
    vmExceptions,
    ...opt("vmAdminInterface", h.vmNetwork?.adminInterface),
    tunnels,
    vpnServers,
    chains,
  };
}

export function meshFacts(m: MeshIR): MeshFacts {
  const members: MeshMemberFacts[] = m.members
    .map((x) => ({ host: x.host, address: x.address, ...opt("endpoint", x.endpoint), publishes: [...x.publishes] }))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { name: m.name, interface: m.interface, subnet: m.subnet, listenPort: m.listenPort, shape: m.shape, ...opt("hub", m.hub), members };
}

export function fleetFacts(ir: TopologyIR): FleetFacts {
  return { name: ir.name, hosts: ir.hosts.map(hostFacts), meshes: ir.meshes.map(meshFacts) };
}
