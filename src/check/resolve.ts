/**
 * resolve: validated input -> IR. Applies defaults, sorts what has no order, derives what is
 * implied (forwarding on a host that routes for others), and records where each item came from.
 * Runs only on input the rules accepted, so it may assume every reference exists.
 */
import { composeConflicts } from "./compose-conflicts.js";
import { formatPath, type Diagnostic, type Locator, type Path } from "../diag/diagnostic.js";
import type { HostParsed, TopologyParsed } from "../model/topology.js";
import { LockBuilder } from "../ir/lock.js";
import { resolveWireguard, type WireguardResolution } from "./resolve-wireguard.js";
import { chainGateway, resolveChains, resolveOvsBridge } from "./resolve-ovs.js";
import type { BridgeIR, ContainerIR, ExpectationIR, FirewallIR, HostIR, HostServiceIR, Origin, RouteIR, TopologyIR } from "../ir/types.js";
import { resolveVmNetwork, VM_LOCK_SECTION, type VmLockSection } from "./resolve-vm-network.js";

export const DEFAULT_MICROVM = "github:microvm-nix/microvm.nix";

export interface ResolveOptions {
  /** How the topology file is named in headers and back-references (relative to the output). */
  readonly sourceName: string;
  readonly locator: Locator;
  /** The lock being built: passes read earlier allocations and record theirs (topo.lock.json). */
  readonly lock?: LockBuilder;
}

/** The IR, and the problems only allocation can find (a pool exhausted, a pinned number taken). */
export interface Resolution {
  readonly ir: TopologyIR;
  readonly diagnostics: Diagnostic[];
}

/** Allocations collected while resolving hosts, written to the lock when all are done. */
interface Allocations {
  readonly lock: LockBuilder;
  readonly vmNetwork: VmLockSection;
  readonly diagnostics: Diagnostic[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sortedUnique = (xs: readonly number[]) => [...new Set(xs)].sort((a, b) => a - b);
const sortedUniqueStrings = (xs: readonly string[]) => [...new Set(xs)].sort();

export function resolve(topo: TopologyParsed, opts: ResolveOptions): Resolution {
  const origin = (path: Path): Origin => {
    const span = opts.locator.exact(path);
    return span ? { path: formatPath(path), line: span.line } : { path: formatPath(path) };
  };
  const lock = opts.lock ?? new LockBuilder();
  const alloc: Allocations = { lock, vmNetwork: {}, diagnostics: [] };
  const wg = resolveWireguard(topo, origin, lock);
  const hosts = Object.entries(topo.hosts)
    .map(([name, host]) => resolveHost(topo, name, host, origin, wg, alloc))
    .sort(byName);
  const meshes = wg.meshes;
  const expectations: ExpectationIR[] = (topo.expectations ?? []).map((e, i) => ({
    origin: origin(["expectations", i]),
    from: e.from,
    to: e.to,
    proto: e.proto,
    ...(e.port !== undefined ? { port: e.port } : {}),
    reach: e.reach,
  }));
  const ir: TopologyIR = {
    name: topo.name,
    source: opts.sourceName,
    nixpkgs: topo.nixpkgs,
    microvm: DEFAULT_MICROVM,
    hosts,
    meshes,
    expectations,
  };
  alloc.diagnostics.push(...composeConflicts(ir));
  // The section is replaced whole: allocations of removed VMs leave the lock.
  lock.write(VM_LOCK_SECTION, Object.keys(alloc.vmNetwork).length ? alloc.vmNetwork : undefined);
  return { ir, diagnostics: alloc.diagnostics };
}

function resolveHost(topo: TopologyParsed, name: string, host: HostParsed, origin: (p: Path) => Origin, wg: WireguardResolution, alloc: Allocations): HostIR {
  const base = ["hosts", name];
  const u = host.uplink;
  const fw = host.firewall;
  const firewall: FirewallIR = {
    origin: origin([...base, "firewall"]),
    tcp: sortedUnique([...(fw.allowedTCPPorts ?? []), ...Object.values(host.services ?? {}).filter((s) => s.proto === "tcp").map((s) => s.port)]),
    udp: sortedUnique([...(fw.allowedUDPPorts ?? []), ...Object.values(host.services ?? {}).filter((s) => s.proto === "udp").map((s) => s.port)]),
    tcpRanges: [...(fw.allowedTCPPortRanges ?? [])].sort((a, b) => a.from - b.from || a.to - b.to),
    udpRanges: [...(fw.allowedUDPPortRanges ?? [])].sort((a, b) => a.from - b.from || a.to - b.to),
    trustedInterfaces: sortedUniqueStrings(fw.trustedInterfaces ?? []),
    allowPing: fw.allowPing,
    logDrops: fw.logDrops,
  };

  const routes: RouteIR[] = (host.routes ?? []).map((r, i) => ({
    origin: origin([...base, "routes", i]),
    destination: r.destination,
    ...(r.gateway ? { gateway: r.gateway } : {}),
    interface: r.interface ?? u.interface,
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
  }));

  const bridges: BridgeIR[] = Object.entries(host.bridges ?? {})
    .map(([brName, br]): BridgeIR => {
      const o = origin([...base, "bridges", brName]);
      const common = { name: brName, origin: o, ...(br.description ? { description: br.description } : {}), ...(br.address ? { address: br.address } : {}), nat: br.nat };
      return br.kind === "linux"
        ? { kind: "linux", ...common, ports: sortedUniqueStrings(br.ports ?? []), stp: br.stp ?? false }
        : { kind: "ovs", ...common, ovs: resolveOvsBridge(host, name, brName, br, origin) };
    })
    .sort(byName);

  const containers: ContainerIR[] = Object.entries(host.containers ?? {})
    .map(([cName, c]): ContainerIR => ({
      name: cName,
      origin: origin([...base, "containers", cName]),
      id: c.id,
      ...(c.description ? { description: c.description } : {}),
      bridge: c.bridge,
      port: c.port ?? `veth${c.id}`,
      portType: c.portType,
      address: c.address,
      ...((c.gateway ?? chainGateway(host, cName)) ? { gateway: c.gateway ?? chainGateway(host, cName) } : {}),
      services: Object.entries(c.services ?? {})
        .map(([sName, s]) => ({ name: sName, proto: s.proto, port: s.port }))
        .sort(byName),
      runtime: c.runtime,
      ...(c.role ? { role: c.role } : {}),
    }))
    .sort((a, b) => a.id - b.id);

  const services: HostServiceIR[] = Object.entries(host.services ?? {})
    .map(([sName, s]) => ({
      name: sName,
      origin: origin([...base, "services", sName]),
      proto: s.proto,
      port: s.port,
      ...(s.description ? { description: s.description } : {}),
      ...(s.exitVia ? { exitVia: s.exitVia } : {}),
    }))
    .sort(byName);

  // A host routes for others when it says so, when it has a VM network, or when it carries
  // bridges with containers behind them (they reach the world through it).
  const routesForOthers = host.vmNetwork !== undefined || containers.length > 0 || Object.keys(host.vpnServers ?? {}).length > 0 || wg.carriers.has(name);
  const forwarding = {
    ipv4: host.forwarding?.ipv4 ?? routesForOthers,
    ipv6: host.forwarding?.ipv6 ?? false,
  };

  const named = <T>(rec: Record<string, T> | undefined, key: string) =>
    Object.entries(rec ?? {})
      .map(([n, input]) => ({ name: n, origin: origin([...base, key, n]), input: input as unknown }))
      .sort(byName);

  let vmNetwork;
  if (host.vmNetwork) {
    const section = alloc.lock.read<Record<string, Record<string, unknown>>>(VM_LOCK_SECTION);
    const r = resolveVmNetwork(topo, name, host, section?.[name], origin);
    vmNetwork = r.ir;
    if (Object.keys(r.lock).length) alloc.vmNetwork[name] = r.lock;
    alloc.diagnostics.push(...r.diagnostics);
  }

  return {
    name,
    origin: origin(base),
    ...(host.description ? { description: host.description } : {}),
    system: host.system,
    stateVersion: host.stateVersion,
    ...(host.profile ? { profile: host.profile } : {}),
    uplink: {
      origin: origin([...base, "uplink"]),
      interface: u.interface,
      dhcp: u.dhcp ?? false,
      ...(u.address ? { address: u.address } : {}),
      ...(u.gateway ? { gateway: u.gateway } : {}),
      dns: u.dns ?? [],
      ...(u.publicAddress ?? u.address ? { publicAddress: u.publicAddress ?? u.address!.split("/")[0]! } : {}),
    },
    forwarding,
    firewall,
    routes,
    bridges,
    containers,
    services,
    ...(vmNetwork ? { vmNetwork } : {}),
    tunnels: wg.tunnels.get(name) ?? [],
    vpnServers: wg.vpnServers.get(name) ?? [],
    wireguard: wg.interfaces.get(name) ?? [],
    chains: resolveChains(host, name, origin),
  };
}
