/**
 * Random fleets: a pure function (seed, shape) -> topology, plausible and valid, that mixes on the
 * same hosts what the reference fleet keeps apart: a VM hypervisor that is also the mesh hub and
 * carries bridges of containers, Linux and Open vSwitch bridges side by side, privacy chains of 2
 * to 4 hops ending in a WARP-like tunnel, container roles, DHCP uplinks and spokes behind NAT,
 * services that exit through another host's tunnel across the mesh, VM exceptions over TCP and
 * UDP, host services, VPN servers with road-warrior clients (masqueraded or routed as is), and
 * expectations drawn from what the fleet says.
 *
 * Small on purpose (2-4 hosts, a few guests each) so that `topo verify` proves one in seconds.
 * A fleet the model rejects is a bug here, not in topo: fix the generator.
 */
import type { TopologyInput } from "../../model/topology.js";
import { mulberry32, type Random } from "./random.js";

/** Which concepts a fleet may use (all by default). */
export interface FleetShape {
  readonly vms: boolean;
  readonly linuxBridges: boolean;
  readonly ovs: boolean;
  /** Tunnels on the OVS bridge and chains of 2-4 hops into them (needs ovs). */
  readonly chains: boolean;
  /** Chains with three container hops (four hops with the tunnel); else at most two. */
  readonly longChains: boolean;
  readonly mesh: boolean;
  /** Services of one host exiting through another host's tunnel across the mesh. */
  readonly crossExits: boolean;
  readonly dhcp: boolean;
  /** A WireGuard VPN server with 1-2 road-warrior clients on some static hosts. */
  readonly vpn: boolean;
}

export const ALL_CONCEPTS: FleetShape = { vms: true, linuxBridges: true, ovs: true, chains: true, longChains: true, mesh: true, crossExits: true, dhcp: true, vpn: true };

type HostIn = TopologyInput["hosts"][string];
type Expectation = NonNullable<TopologyInput["expectations"]>[number];

/** A valid WireGuard public key of its own for each n (32 bytes of n+1, base64). */
const key = (n: number) => Buffer.alloc(32, (n % 250) + 1).toString("base64");

const MESH_IF = "nm0";
const MESH_PORT = 51821;
const SERVICE_PORTS = [{ proto: "tcp", port: 80 }, { proto: "tcp", port: 5432 }, { proto: "udp", port: 53 }, { proto: "tcp", port: 6379 }, { proto: "udp", port: 5000 }] as const;

interface Built {
  readonly name: string;
  readonly host: HostIn;
  /** Bridges worth publishing on a mesh (they carry containers). */
  readonly publishes: string[];
  readonly static: boolean;
  tunnel?: string;
  /** Containers reachable from the mesh (not exiting through a tunnel). */
  readonly plainContainers: string[];
}

export function generateFleet(seed: number, shape: FleetShape = ALL_CONCEPTS): TopologyInput {
  const r = mulberry32(seed);
  const count = r.pick([2, 2, 3, 3, 4]);
  const mesh = shape.mesh && r.chance(0.85);
  const meshShape: "hub" | "full" = mesh && r.chance(0.6) ? "hub" : "full";
  const built: Built[] = [];
  for (let i = 0; i < count; i++) built.push(buildHost(r, i, shape, { mesh, hub: mesh && meshShape === "hub" && i === 0, dhcpAllowed: shape.dhcp && i > 0 && (meshShape === "hub" || built.filter((b) => !b.static).length === 0) }));

  const topo: TopologyInput = { $schema: "./topology.schema.json", name: `fuzz-${seed}`, hosts: Object.fromEntries(built.map((b) => [b.name, b.host])) };
  const expectations: Expectation[] = [];

  if (mesh) {
    const members: Record<string, NonNullable<TopologyInput["meshes"]>[string]["members"][string]> = {};
    built.forEach((b, i) => {
      // A spoke may sit behind NAT (it dials out and keeps the path open); the hub never does.
      const natted = !b.static || (meshShape === "hub" && i > 0 && r.chance(0.3));
      const ip = (b.host.uplink.address ?? "").split("/")[0];
      members[b.name] = {
        address: `172.29.0.${i + 1}`,
        publicKey: key(i),
        ...(natted ? { behindNat: true } : { endpoint: `${ip}:${MESH_PORT}` }),
        ...(b.publishes.length ? { publishes: b.publishes } : {}),
      };
    });
    // In a full mesh every pair needs one member it can dial.
    if (meshShape === "full") {
      const undialable = built.filter((b) => members[b.name]!.behindNat);
      if (undialable.length > 1) throw new Error(`internal: fuzz ${seed}: a full mesh with ${undialable.length} members behind NAT`);
    }
    topo.meshes = {
      mesh: { interface: MESH_IF, listenPort: MESH_PORT, subnet: "172.29.0.0/24", shape: meshShape, ...(meshShape === "hub" ? { hub: built[0]!.name } : {}), members },
    };
    // Services exiting through another host's tunnel: one exit host for the whole mesh (a hub
    // would otherwise need default routes towards two exits).
    const exitHost = built.find((b) => b.tunnel);
    if (shape.crossExits && exitHost && r.chance(0.7)) {
      const users = r.sample(built.filter((b) => b !== exitHost), r.int(1, 2));
      for (const u of users) {
        u.host.services = { ...(u.host.services ?? {}), socks: { proto: "tcp", port: 1080, exitVia: `${exitHost.name}.${exitHost.tunnel}` } };
        const t = exitHost.host.tunnels![exitHost.tunnel!]!;
        t.usedBy = [...(t.usedBy ?? []), `${u.name}.socks`];
      }
    }
    // Expectations the mesh promises: a member reaches the containers another one publishes.
    for (const b of built) {
      const other = built.find((x) => x !== b);
      const c = b.plainContainers[0];
      if (other && c && r.chance(0.5)) expectations.push({ from: other.name, to: `${b.name}.${c}`, proto: "icmp", reach: true, comment: "published on the mesh" });
    }
  }

  if (shape.vpn) addVpnServers(seed, built);

  // Expectations the VM networks promise.
  for (const b of built) {
    const net = b.host.vmNetwork;
    if (!net) continue;
    for (const e of net.exceptions ?? []) expectations.push({ from: `${b.name}.${e.from}`, to: `${b.name}.${e.to}`, proto: e.proto, port: e.port, reach: true, comment: "an exception" });
    const vms = Object.keys(net.vms);
    if (vms.length >= 2) expectations.push({ from: `${b.name}.${vms[1]}`, to: `${b.name}.${vms[0]}`, proto: "icmp", reach: false, comment: "VMs are isolated" });
  }
  if (expectations.length) topo.expectations = expectations;
  return topo;
}

/**
 * The lock a fleet needs beside it: the public keys of the hosts' own tunnel ends (what `topo
 * keys` would have recorded; mesh members carry theirs in the topology). Key numbers 200 and up,
 * so they never equal a member's or a far end's.
 */
export function fleetLock(topo: TopologyInput): string {
  const publicKeys: Record<string, Record<string, string>> = {};
  Object.entries(topo.hosts).forEach(([name, host], i) => {
    for (const t of Object.keys(host.tunnels ?? {})) (publicKeys[name] ??= {})[t] = key(200 + i);
    for (const v of Object.keys(host.vpnServers ?? {})) (publicKeys[name] ??= {})[v] = key(220 + i);
  });
  return JSON.stringify({ version: 1, wireguard: { publicKeys } }, null, 2) + "\n";
}

const VPN_IF = "rw0";

/**
 * VPN servers, drawn from a stream of their own (derived from the seed), so that a fleet with
 * them is the fleet without them plus its servers: every other draw stays the same.
 */
function addVpnServers(seed: number, built: Built[]): void {
  const r = mulberry32((seed ^ 0x5eed0f0) >>> 0);
  built.forEach((b, i) => {
    // On DHCP uplinks too: the lab's clients dial the host's lease.
    if (!r.chance(0.35)) return;
    const clients: Record<string, { publicKey: string }> = {};
    const n = r.int(1, 2);
    for (let k = 0; k < n; k++) clients[`laptop${k + 1}`] = { publicKey: key(150 + 2 * i + k) };
    const nat = r.chance(0.3) ? ({ nat: "none" } as const) : {};
    b.host.vpnServers = { [VPN_IF]: { listenPort: 51820, pool: `10.${200 + i}.0.0/24`, clients, ...nat } };
    if (r.chance(0.2)) b.host.firewall = { ...b.host.firewall, trustedInterfaces: [...(b.host.firewall?.trustedInterfaces ?? []), VPN_IF] };
  });
}

function buildHost(r: Random, i: number, shape: FleetShape, o: { mesh: boolean; hub: boolean; dhcpAllowed: boolean }): Built {
  const name = `h${i + 1}`;
  const dhcp = o.dhcpAllowed && r.chance(0.3);
  const host: HostIn = {
    system: r.pick(["x86_64-linux", "aarch64-linux"] as const),
    stateVersion: "25.11",
    uplink: dhcp ? { interface: r.pick(["enp1s0", "eth0"]), dhcp: true } : { interface: r.pick(["enp1s0", "eth0", "enP2p4s0"]), address: `203.0.113.${10 + i}/24`, gateway: "203.0.113.1", dns: ["192.0.2.53"] },
  };
  const publishes: string[] = [];
  const plainContainers: string[] = [];
  const containers: NonNullable<HostIn["containers"]> = {};
  const bridges: NonNullable<HostIn["bridges"]> = {};
  let nextId = 100 * (i + 1) + 1;
  const services = () => {
    const out: Record<string, { proto: "tcp" | "udp"; port: number }> = {};
    for (const s of r.sample(SERVICE_PORTS, r.int(0, 2))) out[`${s.proto}${s.port}`] = { proto: s.proto, port: s.port };
    return out;
  };

  // The first host is the one where concepts meet: VMs plus at least one bridge of containers.
  const wantVms = shape.vms && (i === 0 ? r.chance(0.85) : r.chance(0.3));
  let wantLinux = shape.linuxBridges && r.chance(0.5);
  let wantOvs = shape.ovs && r.chance(0.6);
  if (i === 0 && !wantLinux && !wantOvs) {
    if (shape.ovs && (!shape.linuxBridges || r.chance(0.5))) wantOvs = true;
    else if (shape.linuxBridges) wantLinux = true;
  }

  if (wantLinux) {
    const withLan = r.chance(0.5);
    bridges["br-lan"] = { kind: "linux", address: `172.${16 + i}.1.1/24`, ...(withLan ? { ports: ["lan0"] } : {}) };
    const n = r.int(1, 2);
    for (let k = 0; k < n; k++) {
      const id = nextId++;
      const c = `web${k + 1}`;
      containers[c] = { id, bridge: "br-lan", address: `172.${16 + i}.1.${10 + k}/24`, gateway: `172.${16 + i}.1.1`, services: services() };
      plainContainers.push(c);
    }
    publishes.push("br-lan");
  }

  let tunnel: string | undefined;
  const chains: NonNullable<HostIn["chains"]> = {};
  const tunnels: NonNullable<HostIn["tunnels"]> = {};
  if (wantOvs) {
    bridges.vmbr0 = { kind: "ovs", address: `172.${16 + i}.2.1/24`, flows: [{ priority: 10, actions: ["normal"], comment: "normal switching" }] };
    const withChain = shape.chains && r.chance(0.7);
    // Container hops (the tunnel is one more); drawn the same way with or without long chains.
    const drawn = withChain ? r.int(1, 3) : 0;
    const chainLength = shape.longChains ? drawn : Math.min(drawn, 2);
    const n = Math.max(chainLength + r.int(0, 2), 2);
    const names: string[] = [];
    for (let k = 0; k < n; k++) {
      const id = nextId++;
      const c = `ct${k + 1}`;
      names.push(c);
      // Chain hops are privacy or unguarded; the others draw any role.
      const role = k < chainLength ? r.pick(["privacy", undefined] as const) : r.pick(["privacy", "management", "service", undefined] as const);
      containers[c] = { id, bridge: "vmbr0", address: `172.${16 + i}.2.${100 + k}/24`, gateway: `172.${16 + i}.2.1`, services: services(), ...(role ? { role } : {}) };
    }
    const privacy = names.filter((c) => containers[c]!.role === "privacy");
    if (withChain || privacy.length) {
      tunnel = "warp0";
      const hops = names.slice(0, chainLength);
      // Each container hop sends through the next one; the last leaves by the tunnel.
      hops.forEach((c, k) => {
        if (k + 1 < hops.length) containers[c]!.gateway = containers[hops[k + 1]!]!.address.split("/")[0]!;
      });
      const usedBy = [...new Set([...hops, ...privacy])];
      tunnels.warp0 = { endpoint: `198.51.100.${20 + i}:2408`, publicKey: key(100 + i), address: `172.30.${i}.2/32`, allowedIPs: ["0.0.0.0/0"], bridge: "vmbr0", usedBy };
      if (hops.length) chains.exit = { bridge: "vmbr0", hops: [...hops, "warp0"] };
    }
    const leaving = new Set(tunnels.warp0?.usedBy ?? []);
    plainContainers.push(...names.filter((c) => !leaving.has(c)));
    publishes.push("vmbr0");
  }

  if (wantVms) {
    const vmCount = r.int(2, 3);
    const vms: Record<string, { hypervisor: "cloud-hypervisor" | "qemu" | "firecracker" }> = {};
    for (let k = 1; k <= vmCount; k++) vms[`vm${k}`] = { hypervisor: r.pick(["cloud-hypervisor", "qemu", "firecracker"] as const) };
    const names = Object.keys(vms);
    const exceptions: { from: string; to: string; proto: "tcp" | "udp"; port: number }[] = [];
    for (let k = r.int(0, 2); k > 0; k--) {
      const [from, to] = r.sample(names, 2) as [string, string];
      const s = r.pick(SERVICE_PORTS);
      if (!exceptions.some((e) => e.from === from && e.to === to && e.proto === s.proto && e.port === s.port)) exceptions.push({ from, to, proto: s.proto, port: s.port });
    }
    host.vmNetwork = {
      pool: `10.${i + 1}.0.0/16`,
      prefixLength: 24,
      dns: ["192.0.2.53"],
      ...(r.chance(0.5) ? { adminInterface: "tailscale0" } : {}),
      ...(r.chance(0.4) ? { metadata: { address: "169.254.169.254", port: 80 } } : {}),
      ...(r.chance(0.3) ? { sshPort: 2222 } : {}),
      hostServices: r.sample([{ proto: "udp", port: 53 }, { proto: "tcp", port: 3128 }] as const, r.int(0, 2)).map((s) => ({ ...s })),
      vms,
      ...(exceptions.length ? { exceptions } : {}),
    };
  }

  const trusted: string[] = [];
  if (o.mesh && r.chance(0.5)) trusted.push(MESH_IF);
  if (wantOvs && r.chance(0.3)) trusted.push("vmbr0");
  host.firewall = {
    allowedTCPPorts: r.chance(0.5) ? [22, 443] : [22],
    ...(r.chance(0.4) ? { allowedUDPPorts: [5353] } : {}),
    ...(r.chance(0.2) ? { allowPing: false } : {}),
    ...(trusted.length ? { trustedInterfaces: trusted } : {}),
  };
  if (Object.keys(bridges).length) host.bridges = bridges;
  if (Object.keys(containers).length) host.containers = containers;
  if (Object.keys(tunnels).length) host.tunnels = tunnels;
  if (Object.keys(chains).length) host.chains = chains;
  return { name, host, publishes, static: !dhcp, ...(tunnel ? { tunnel } : {}), plainContainers };
}
