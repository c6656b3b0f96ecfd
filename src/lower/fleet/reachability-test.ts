/**
 * The NixOS test of the topology's reachability (checks/reachability.nix + reachability.py):
 * one test machine per host, carrying the host's generated networkd, nftables and Open vSwitch
 * modules, its uplink NIC on a VLAN per uplink subnet (mirroring how the hosts are linked), one
 * router machine that plays the upstream network on every VLAN (the hosts' gateways, a DHCP server
 * where uplinks use DHCP, the source of "from the internet" probes), and one machine per guest:
 * each container on an Open vSwitch bridge (its veth is a test NIC named like its port on both
 * sides, attached by the host's generated late-port service) and each microVM of a VM network
 * (the TAP is a test NIC named like it, enslaved by the host's generated units). A NixOS
 * container runs its generated `containers.<n>.config`, a microVM guest its generated networking;
 * a Proxmox/LXC container is addressed as its owner would (topo does not generate its inside).
 *
 * Backend: the test framework's systemd-nspawn machines (`containers`, NixOS/nixpkgs#538271: no
 * KVM) where the pinned nixpkgs has that option, QEMU `nodes` otherwise; the same machines run on
 * either, and the test's name and first output line say which.
 *
 * The script asserts each cell of the intent matrix between these machines and from the internet
 * (`external.wan`), and the expectations between them, over TCP and ICMP (UDP has no reliable
 * "reached" without a reply). Cells over a WireGuard mesh need its keys and are left to
 * `topo verify`, as are containers on Linux bridges and OVS internal ports (nspawn or OVS itself
 * makes their link; no generated unit of the host names it).
 */
import { posix } from "node:path";
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { addressOf, contains, networkOf, parseCidr } from "../../net/ipv4.js";
import { originComment } from "../../ir/origin.js";
import { CONTRIBUTORS, intentFor, type IntentScope } from "../../policy/intent.js";
import { wireguardIntent } from "../../policy/contributors/wireguard.js";
import { WAN } from "../../policy/contributors/host-firewall.js";
import { commented, nixString, path, printNix, raw, type NixAttrs, type NixValue } from "../../render/nix.js";
import { fnv1a } from "../../net/hash.js";
import { IFNAME_LIMIT } from "../../check/vm-names.js";

export interface Probe {
  /** A machine's intent id (host, `<host>.<guest>`), or `external.wan` (the router). */
  readonly from: string;
  readonly to: string;
  readonly proto: "tcp" | "icmp";
  readonly port?: number;
  readonly allowed: boolean;
  readonly reason: string;
}

export interface Segment {
  readonly vlan: number;
  /** The uplink subnet (static), or undefined for a host's own DHCP segment. */
  readonly subnet?: string;
  /** Router addresses with prefix on this segment: the hosts' gateways, or the DHCP server. */
  readonly router: readonly string[];
  readonly dhcp: boolean;
  readonly hosts: readonly string[];
}

/** A container or microVM as a test machine, linked to its host by a VLAN of its own. */
export interface Guest {
  /** Intent id: `<host>.<name>`. */
  readonly id: string;
  readonly machine: string;
  readonly host: string;
  readonly name: string;
  readonly kind: "nixos-container" | "container" | "vm";
  /** The test NIC's name, on the host (its port or TAP) and in the guest. */
  readonly nic: string;
  /** Address with prefix. */
  readonly address: string;
  readonly gateway?: string;
  readonly vlan: number;
}

/**
 * The QEMU backend's own NIC (user networking) is eth0: a host whose uplink has that name gets its
 * uplink as a test NIC named TEST_UPLINK, and its modules name that NIC instead (renameNic in
 * reachability.nix). Done on both backends, so the machines are the same on either.
 */
export const DRIVER_NIC = "eth0";
export const TEST_UPLINK = "topo-up0";
export const testNic = (h: HostIR) => (h.uplink.interface === DRIVER_NIC ? TEST_UPLINK : h.uplink.interface);

/** Host modules a test machine imports: the self-contained networking ones. */
export const TEST_NODE_MODULES = ["firewall.nix", "network.nix", "vswitches.nix"];

/** Kept out of the 192.168.N.0/24 ranges the test framework assigns; RFC 2544 benchmarking space. */
const dhcpNet = (vlan: number) => `198.18.${vlan}.1/24`;

export function routerName(ir: TopologyIR): string {
  let name = "router";
  for (let i = 2; ir.hosts.some((h) => h.name === name); i++) name = `router${i}`;
  return name;
}

/** The uplink segment a host stands on: its static uplink's subnet, or a DHCP segment of its own. */
const segmentKey = (h: HostIR) => (h.uplink.address && !h.uplink.dhcp ? networkOf(h.uplink.address) : `dhcp:${h.name}`);
const vlanKey = { segment: (key: string) => `uplink\u0000${key}`, guest: (id: string) => `guest\u0000${id}` };

/**
 * The nspawn backend gives VLAN N's bridge on the builder 192.168.N.254/24: a VLAN whose number is
 * the third byte of a 192.168.0.0/16 subnet the fleet uses would put the builder inside it.
 */
function builderSubnetClashes(ir: TopologyIR, gs: readonly Guest[]): Set<number> {
  const out = new Set<number>();
  const note = (a: string | undefined) => {
    const m = a && /^192\.168\.(\d{1,3})\./.exec(a);
    if (m) out.add(Number(m[1]));
  };
  for (const h of ir.hosts) {
    note(h.uplink.address);
    note(h.uplink.gateway);
  }
  for (const g of gs) {
    note(g.address);
    note(g.gateway);
  }
  out.delete(0);
  return out;
}

/**
 * VLAN numbers that stay put: each key (a segment, a guest) hashed to 1..255, a taken number
 * passing to the next free one, keys taken in sorted order. Adding a guest renumbers no other
 * (but in a rare collision chain), so the test's diff shows the guest added, not every VLAN after
 * it. Numbers in `avoid` are left out while every key still fits. Past 255 keys (no test is
 * generated then) numbers are sequential.
 */
export function stableVlans(keys: readonly string[], avoid: ReadonlySet<number> = new Set()): Map<string, number> {
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Map<string, number>();
  if (sorted.length > TEST_FRAMEWORK_MAX) {
    sorted.forEach((k, i) => out.set(k, i + 1));
    return out;
  }
  // Numbers to avoid only while there is room for every key without them.
  const taken = new Set<number>(sorted.length + avoid.size <= TEST_FRAMEWORK_MAX ? avoid : []);
  for (const k of sorted) {
    let v = 1 + (fnv1a(k) % TEST_FRAMEWORK_MAX);
    while (taken.has(v)) v = (v % TEST_FRAMEWORK_MAX) + 1;
    taken.add(v);
    out.set(k, v);
  }
  return out;
}

export function segments(ir: TopologyIR, vlans?: ReadonlyMap<string, number>): Segment[] {
  const keyed = new Map<string, { subnet?: string; hosts: HostIR[] }>();
  for (const h of ir.hosts) {
    const key = segmentKey(h);
    const s = keyed.get(key) ?? { ...(key.startsWith("dhcp:") ? {} : { subnet: key }), hosts: [] };
    s.hosts.push(h);
    keyed.set(key, s);
  }
  return [...keyed.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, s], i) => {
      const vlan = vlans?.get(vlanKey.segment(key)) ?? i + 1;
      if (!s.subnet) return { vlan, router: [dhcpNet(vlan)], dhcp: true, hosts: s.hosts.map((h) => h.name) };
      const prefix = s.subnet.split("/")[1]!;
      const gws = [...new Set(s.hosts.map((h) => h.uplink.gateway).filter((g): g is string => g !== undefined && contains(s.subnet!, g)))].sort();
      return { vlan, subnet: s.subnet, router: gws.map((g) => `${g}/${prefix}`), dhcp: false, hosts: s.hosts.map((h) => h.name) };
    });
}

/** Containers on OVS bridges (veth ports) and microVMs, numbered on VLANs after the uplink segments. */
export function guests(ir: TopologyIR, segmentCount = segments(ir).length, router = routerName(ir)): Guest[] {
  const taken = new Set([...ir.hosts.map((h) => h.name), router]);
  const machineName = (host: string, name: string) => {
    let m = `${host}-${name}`;
    for (let i = 2; taken.has(m); i++) m = `${host}-${name}-${i}`;
    taken.add(m);
    return m;
  };
  let vlan = segmentCount;
  const out: Guest[] = [];
  for (const h of ir.hosts) {
    for (const c of h.containers) {
      const br = h.bridges.find((b) => b.name === c.bridge);
      if (br?.kind !== "ovs" || c.portType === "internal") continue;
      const kind = c.runtime === "nixos" ? "nixos-container" : "container";
      out.push({ id: `${h.name}.${c.name}`, machine: machineName(h.name, c.name), host: h.name, name: c.name, kind, nic: c.port, address: c.address, ...(c.gateway ? { gateway: c.gateway } : {}), vlan: ++vlan });
    }
    for (const vm of h.vmNetwork?.vms ?? []) {
      out.push({ id: `${h.name}.${vm.name}`, machine: machineName(h.name, vm.name), host: h.name, name: vm.name, kind: "vm", nic: vm.tap, address: vm.guestAddress, gateway: vm.gateway, vlan: ++vlan });
    }
  }
  return out;
}

/** The test as data: its segments, router, machines and probes, computed once for both files. */
export interface ReachabilityTest {
  readonly router: string;
  readonly segments: readonly Segment[];
  /** Guests with their machine names (see `machineNames`). */
  readonly guests: readonly Guest[];
  /** Each host's machine name. */
  readonly hostMachines: ReadonlyMap<string, string>;
  /** Machines given a short name, by name: their ids. */
  readonly shortened: ReadonlyMap<string, string>;
  /** `<machine>-<nic>` names over 15 characters that even a short machine name leaves (the test then runs on QEMU). */
  readonly overlong: readonly string[];
  readonly probes: readonly Probe[];
}

export function reachabilityTest(ir: TopologyIR): ReachabilityTest {
  const router = routerName(ir);
  const listed = guests(ir, 0, router);
  const vlans = stableVlans([...ir.hosts.map((h) => vlanKey.segment(segmentKey(h))), ...listed.map((g) => vlanKey.guest(g.id))], builderSubnetClashes(ir, listed));
  const segs = segments(ir, vlans);
  const long = listed.map((g) => ({ ...g, vlan: vlans.get(vlanKey.guest(g.id))! }));
  const nics = new Map<string, string[]>(ir.hosts.map((h) => [h.name, [testNic(h)]]));
  for (const g of long) nics.get(g.host)!.push(g.nic);
  const entries = [
    ...ir.hosts.map((h) => ({ id: h.name, preferred: h.name, nics: nics.get(h.name)! })),
    ...long.map((g) => ({ id: g.id, preferred: g.machine, nics: [g.nic] })),
    { id: WAN, preferred: router, nics: segs.map((s) => `up${s.vlan}`) },
  ];
  const named = machineNames(entries);
  const shortened = new Map(entries.filter((e) => named.names.get(e.id) !== e.preferred).map((e) => [named.names.get(e.id)!, e.id] as const));
  const gs = long.map((g) => ({ ...g, machine: named.names.get(g.id)! }));
  return { router: named.names.get(WAN)!, segments: segs, guests: gs, hostMachines: new Map(ir.hosts.map((h) => [h.name, named.names.get(h.name)!])), shortened, overlong: named.overlong, probes: probes(ir, gs) };
}

/**
 * The NixOS test framework numbers VLANs and machines up to 255: QEMU's NIC MACs carry both in a
 * byte (nixpkgs' qemu-common.nix throws beyond), nspawn's VLAN bridges take 192.168.<vlan>.254.
 * A fleet past either gets no reachability test (undefined: it fits).
 */
export const TEST_FRAMEWORK_MAX = 255;

export function beyondTestFramework(ir: TopologyIR): string | undefined {
  const segmentCount = segments(ir).length;
  const guestCount = guests(ir, segmentCount).length;
  const vlans = segmentCount + guestCount;
  const machines = ir.hosts.length + guestCount + 1;
  const over = [vlans > TEST_FRAMEWORK_MAX ? `${vlans} VLANs` : "", machines > TEST_FRAMEWORK_MAX ? `${machines} machines` : ""].filter(Boolean);
  return over.length ? over.join(" and ") : undefined;
}

/**
 * The nspawn backend names each machine's NIC on the builder's side `<machine>-<nic>`
 * (nixpkgs' run-nspawn), and a Linux interface name holds 15 characters: a longer one stops the
 * test before it starts. A machine keeps its readable name (the host's, `<host>-<guest>`) where
 * every such name fits; else a short one of four characters: that name's first letter (or "m"),
 * then three base-36 characters hashed from its id (stable: once short, it moves only if its own id
 * changes, or in a rare collision with another). A NIC
 * too long even then is listed, and the test runs on QEMU, which has no such limit.
 */
export function machineNames(entries: readonly { id: string; preferred: string; nics: readonly string[] }[]): { names: Map<string, string>; overlong: string[] } {
  const fits = (machine: string, nics: readonly string[]) => nics.every((n) => machine.length + 1 + n.length <= IFNAME_LIMIT);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const e of sorted) {
    if (fits(e.preferred, e.nics) && !taken.has(e.preferred)) {
      names.set(e.id, e.preferred);
      taken.add(e.preferred);
    }
  }
  const overlong: string[] = [];
  for (const e of sorted) {
    if (names.has(e.id)) continue;
    // Four characters whatever the NICs (so adding one never renames a machine already short):
    // the readable name's first letter, so it sorts near it, then the hash. Leaves 10 for the NIC.
    const prefix = /^[A-Za-z]/.test(e.preferred) ? e.preferred[0]! : "m";
    let short = "";
    for (let salt = 0; !short || taken.has(short); salt++) short = `${prefix}${(fnv1a(`${salt}\u0000${e.id}`) % 36 ** 3).toString(36).padStart(3, "0")}`;
    names.set(e.id, short);
    taken.add(short);
    for (const n of e.nics) if (!fits(short, [n])) overlong.push(`${short}-${n}`);
  }
  return { names, overlong: overlong.sort() };
}

export function probes(ir: TopologyIR, gs: readonly Guest[] = guests(ir)): Probe[] {
  const hostOf = new Map<string, string>([...ir.hosts.map((h) => [h.name, h.name] as const), ...gs.map((g) => [g.id, g.host] as const)]);
  const ids = new Set(hostOf.keys());
  // By source, then by destination and service: the first cell of each wins.
  const bySource = new Map<string, Map<string, Probe>>();
  const add = (p: Probe) => {
    // A guest's traffic to another host's machines crosses a mesh or the hosts' own routes, which
    // the test's segments do not have: topo verify proves those.
    const a = hostOf.get(p.from);
    const b = hostOf.get(p.to);
    if (a && b && a !== b && (a !== p.from || b !== p.to)) return;
    let mine = bySource.get(p.from);
    if (!mine) bySource.set(p.from, (mine = new Map()));
    const k = `${p.to}\u0000${p.proto}\u0000${p.port ?? ""}`;
    if (!mine.has(k)) mine.set(k, p);
  };
  const endpoint = (id: string) => (id === WAN || ids.has(id) ? id : undefined);
  // Only the cells between the test's machines (and from the internet): never all pairs of the
  // fleet, nor of a host's VMs (vmPeers).
  // The WireGuard contributor's cells are all over a mesh (skipped below) or beyond a tunnel (no
  // test machine): not asked for at all, as a mesh's are every pair of its members.
  for (const c of intentFor(ir, testScope(ir, ids), CONTRIBUTORS.filter((x) => x !== wireguardIntent)).cells) {
    const from = endpoint(c.from);
    const to = endpoint(c.to);
    if (!from || !to || to === WAN || (c.proto !== "tcp" && c.proto !== "icmp")) continue;
    // Cells over a WireGuard mesh need its keys, which a test cannot have: topo verify proves them.
    if (c.reason.startsWith("meshes")) continue;
    add(c.port !== undefined ? { from, to, proto: c.proto, port: c.port, allowed: c.allowed, reason: c.reason } : { from, to, proto: c.proto, allowed: c.allowed, reason: c.reason });
  }
  for (const e of ir.expectations) {
    if (!ids.has(e.from) || !ids.has(e.to) || e.proto === "udp") continue;
    add({ from: e.from, to: e.to, proto: e.proto, ...(e.port !== undefined ? { port: e.port } : {}), allowed: e.reach, reason: originComment(e.origin, ir.source) });
  }
  // Sorted source by source (one sort of a few cells each, not n log n over the fleet's).
  const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const cmp = (a: Probe, b: Probe) => byString(a.to, b.to) || byString(a.proto, b.proto) || (a.port ?? 0) - (b.port ?? 0);
  const out: Probe[] = [];
  for (const from of [...bySource.keys()].sort(byString)) for (const p of [...bySource.get(from)!.values()].sort(cmp)) out.push(p);
  return out;
}

/**
 * How many of its VM network's other VMs each VM probes for isolation: the next ones in order, as
 * a ring, so that every VM is probed as source and as destination (the isolation is one rule for
 * the whole network, not one per pair). With up to this many + 1 VMs, that is every pair; beyond,
 * all pairs would make the test quadratic in the VMs of a host (and unrunnable long before 250 VMs).
 */
export const VM_ISOLATION_PEERS = 4;

/** A VM's peers in the test: the next VM_ISOLATION_PEERS of its network, and those its exceptions name (either way). */
function vmPeers(ir: TopologyIR): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const h of ir.hosts) {
    const vms = h.vmNetwork?.vms ?? [];
    const id = (vm: string) => `${h.name}.${vm}`;
    vms.forEach((vm, i) => {
      const peers = new Set<string>();
      for (let k = 1; k <= Math.min(VM_ISOLATION_PEERS, vms.length - 1); k++) peers.add(id(vms[(i + k) % vms.length]!.name));
      out.set(id(vm.name), peers);
    });
    for (const e of h.vmNetwork?.exceptions ?? []) {
      out.get(id(e.from))?.add(id(e.to));
      out.get(id(e.to))?.add(id(e.from));
    }
  }
  return out;
}

/** Every cell from the internet or a test machine to a test machine, but between two VMs of one network only their vmPeers. */
function testScope(ir: TopologyIR, ids: ReadonlySet<string>): IntentScope {
  const peers = vmPeers(ir);
  const hostOfVm = new Map<string, string>(ir.hosts.flatMap((h) => (h.vmNetwork?.vms ?? []).map((vm) => [`${h.name}.${vm.name}`, h.name] as const)));
  return {
    from: (id) => id === WAN || ids.has(id),
    to: (id) => ids.has(id),
    has: (f, t) => {
      if (!(f === WAN || ids.has(f)) || !ids.has(t)) return false;
      const mine = peers.get(f);
      const host = hostOfVm.get(t);
      return !mine || host === undefined || host !== hostOfVm.get(f) || mine.has(t);
    },
    peers: (id) => peers.get(id),
  };
}

const code = (v: NixValue) => printNix(v);

/** A host module as the test machine imports it: as is, or with the uplink renamed to the test NIC. */
function hostModule(h: HostIR, file: string): NixValue {
  const p = path(`../hosts/${h.name}/${file}`);
  if (testNic(h) === h.uplink.interface) return p;
  return raw(`(renameNic ${nixString(h.uplink.interface)} ${nixString(testNic(h))} ${code(p)})`);
}

/** The machines of the test, as plain data (imports reach the generated host files). */
export function reachabilityMachines(ir: TopologyIR, test: ReachabilityTest, hostModules: ReadonlyMap<string, readonly string[]>, hostImports: ReadonlyMap<string, readonly string[]> = new Map()): NixAttrs {
  const { segments: segs, guests: gs, router } = test;
  const machines: Record<string, NixValue> = {};
  const segmentOf = new Map(segs.flatMap((s) => s.hosts.map((h) => [h, s] as const)));
  const guestsOf = new Map<string, Guest[]>();
  for (const g of gs) {
    const list = guestsOf.get(g.host);
    if (list) list.push(g);
    else guestsOf.set(g.host, [g]);
  }
  for (const h of ir.hosts) {
    const seg = segmentOf.get(h.name)!;
    const mine = guestsOf.get(h.name) ?? [];
    const interfaces: Record<string, NixValue> = { [testNic(h)]: { vlan: seg.vlan } };
    for (const g of mine) interfaces[g.nic] = { vlan: g.vlan };
    // ovs-late-ports.nix attaches the guests' veths to the bridge when they appear, as on the host.
    // WireGuard peers stay out: mesh cells need the keys, and topo verify proves them.
    const extra = (hostImports.get(h.name) ?? []).filter((f) => !f.includes("wireguard-peers")).map((f) => path(posix.normalize(`../hosts/${h.name}/${f}`)));
    machines[test.hostMachines.get(h.name)!] = {
      imports: [...(hostModules.get(h.name) ?? []).map((m) => hostModule(h, m)), ...extra],
      networking: { hostName: h.name },
      ...(h.forwarding.ipv4 ? { boot: { kernel: { sysctl: { "net.ipv4.conf.all.forwarding": true } } } } : {}),
      // The NICs by their real names (the uplink's renamed if it is eth0), unconfigured by the test framework: the generated units configure them.
      virtualisation: { interfaces },
    };
  }
  for (const g of gs) {
    const iface = { [g.nic]: { vlan: g.vlan } };
    if (g.kind === "nixos-container") {
      machines[g.machine] = { imports: [raw(`((import ${code(path(`../hosts/${g.host}/containers.nix`))}).containers.${nixString(g.name)}.config)`)], virtualisation: { interfaces: iface } };
    } else if (g.kind === "vm") {
      machines[g.machine] = { imports: [raw(`(vmGuest ${code(path(`../hosts/${g.host}/microvms.nix`))} ${nixString(g.name)} ${nixString(g.nic)})`)], virtualisation: { interfaces: iface } };
    } else {
      // Proxmox/LXC: topo does not generate the inside; addressed as its owner would, no firewall of its own.
      machines[g.machine] = {
        networking: {
          useDHCP: false,
          firewall: { enable: false },
          interfaces: { [g.nic]: { ipv4: { addresses: [{ address: addressOf(g.address), prefixLength: parseCidr(g.address).prefix }] } } },
          ...(g.gateway ? { defaultGateway: { address: g.gateway, interface: g.nic } } : {}),
        },
        virtualisation: { interfaces: iface },
      };
    }
  }
  const routerNetworks: Record<string, NixValue> = {};
  const routerIfs: Record<string, NixValue> = {};
  for (const s of segs) {
    if (s.router.length === 0) continue;
    const ifname = `up${s.vlan}`;
    routerIfs[ifname] = { vlan: s.vlan };
    routerNetworks[`10-${ifname}`] = {
      matchConfig: { Name: ifname },
      address: [...s.router],
      ...(s.dhcp ? { networkConfig: { DHCPServer: true }, dhcpServerConfig: { PoolOffset: 100, PoolSize: 50 } } : {}),
    };
  }
  machines[router] = {
    networking: { hostName: router, useNetworkd: true, useDHCP: false, firewall: { enable: false } },
    boot: { kernel: { sysctl: { "net.ipv4.conf.all.forwarding": true } } },
    systemd: { network: { enable: true, networks: routerNetworks } },
    virtualisation: { interfaces: routerIfs },
  };
  // A short machine name says whose it is.
  for (const [m, id] of test.shortened) machines[m] = commented(`${id} (a short name: the nspawn backend names a NIC <machine>-<nic>, in 15 characters)`, machines[m]!);
  return machines;
}

/** A Python string literal; single-quoted where that needs no escape (back-references like `containers["x"]` stay readable). */
const py = (s: string) => (s.includes('"') && /^[ -~]*$/.test(s) && !/['\\]/.test(s) ? `'${s}'` : JSON.stringify(s));

/** The Python test script: addresses, listeners, then one subtest per probe. */
export function reachabilityScript(ir: TopologyIR, test: ReachabilityTest = reachabilityTest(ir)): string {
  const { router, probes: list, guests: gs, hostMachines } = test;
  const machines = new Map([...hostMachines, ...gs.map((g) => [g.id, g.machine] as const)]);
  const machineOf = (id: string) => (id === WAN ? router : (machines.get(id) ?? id));
  const renamed = ir.hosts.filter((h) => testNic(h) !== h.uplink.interface);
  // A short machine name (machineNames) says whose it is; ids are checked names, safe in a comment.
  const whose = (machine: string) => (test.shortened.has(machine) ? `  # ${test.shortened.get(machine)}` : "");
  const lines: string[] = [
    `# Generated by topo from ${ir.source}: do not edit; change ${ir.source} and run \`topo compile\`.`,
    "# Test script of checks/reachability.nix: reachability of the topology, probed on the generated",
    "# configurations (a machine per host and per container or microVM guest, a router for the upstream).",
    ...(renamed.length ? [`# Uplink ${DRIVER_NIC} (the QEMU backend's own NIC) is the test NIC ${TEST_UPLINK} on: ${renamed.map((h) => h.name).join(", ")}.`] : []),
    "",
    "# reachability.nix defines topo_backend (nspawn or qemu) before this script.",
    'backend = globals().get("topo_backend", "unknown")',
    'print(f"topo-reachability: {len(machines)} machines on the {backend} backend")',
    "node = {m.name: m for m in machines}",
    "start_all()",
    "for m in machines:",
    '    m.wait_for_unit("multi-user.target")',
    "",
    "",
    "def uplink_address(name, iface):",
    '    m = node[name]',
    '    m.wait_until_succeeds(f"ip -4 -o addr show dev {iface} | grep -q inet", timeout=90)',
    "    return m.succeed(f\"ip -4 -o addr show dev {iface} | awk '{{print $4}}' | cut -d/ -f1 | head -n1\").strip()",
    "",
    "",
    "address = {",
    ...ir.hosts.map((h) => `    ${py(machineOf(h.name))}: ${h.uplink.dhcp || !h.uplink.address ? `uplink_address(${py(machineOf(h.name))}, ${py(testNic(h))})` : py(addressOf(h.uplink.address))},${whose(machineOf(h.name))}`),
    ...gs.map((g) => `    ${py(g.machine)}: ${py(addressOf(g.address))},${whose(g.machine)}`),
    "}",
    "",
    "",
    "def listen(name, port):",
    '    node[name].succeed(f"systemd-run --unit=topo-listen-{port} socat TCP-LISTEN:{port},fork,reuseaddr SYSTEM:true")',
    "    node[name].wait_for_open_port(port)",
    "",
    "",
    "def probe(src, dst, proto, port, allowed):",
    '    if proto == "icmp":',
    '        cmd = f"ping -c1 -W2 {address[dst]}"',
    "    else:",
    '        cmd = f"socat -T3 /dev/null TCP:{address[dst]}:{port},connect-timeout=3"',
    "    if allowed:",
    "        node[src].succeed(cmd)",
    "    else:",
    "        node[src].fail(cmd)",
    "",
  ];
  const listeners = new Map<string, Probe>();
  for (const p of list) if (p.proto === "tcp") listeners.set(`${machineOf(p.to)}\u0000${p.port}`, p);
  if (listeners.size) lines.push("");
  for (const p of listeners.values()) lines.push(`listen(${py(machineOf(p.to))}, ${p.port})`);
  // Each machine's name as Python once: a machine is in many probes.
  const named = new Map<string, string>();
  const machinePy = (id: string) => {
    let s = named.get(id);
    if (s === undefined) named.set(id, (s = py(machineOf(id))));
    return s;
  };
  for (const p of list) {
    const title = `${p.from} -> ${p.to} ${p.proto}${p.port !== undefined ? `/${p.port}` : ""}: ${p.allowed ? "allowed" : "blocked"} (${p.reason})`;
    lines.push("", `with subtest(${py(title)}):`, `    probe(${machinePy(p.from)}, ${machinePy(p.to)}, ${py(p.proto)}, ${p.port ?? "None"}, ${p.allowed ? "True" : "False"})`);
  }
  return lines.join("\n") + "\n";
}
