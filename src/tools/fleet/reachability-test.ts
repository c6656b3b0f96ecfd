/**
 * The NixOS test of the topology's reachability (checks/reachability.nix + reachability.py):
 * one test node per host, carrying the host's generated networkd and nftables modules, its uplink
 * NIC on a VLAN per uplink subnet (mirroring how the hosts are linked), and one router node that
 * plays the upstream network on every VLAN: the hosts' gateways (a DHCP server where uplinks use
 * DHCP), forwarding between them, and the source of "from the internet" probes.
 *
 * The script asserts each host-level cell of the intent matrix (between hosts, and from the internet,
 * `external.wan`: the host firewalls' open and closed ports, ping) and the expectations between
 * hosts, over TCP and ICMP (UDP has no reliable "reached" without a reply). Containers, VMs and
 * meshes are not nodes of this test (they need Proxmox, nested KVM or secret keys): `topo verify`
 * probes them in network namespaces.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { addressOf, contains, networkOf } from "../../net/ipv4.js";
import { originComment } from "../../lower/origin.js";
import { betweenScope, CONTRIBUTORS, intentFor } from "../../policy/intent.js";
import { WAN } from "../../policy/contributors/host-firewall.js";
import { wireguardIntent } from "../../policy/contributors/wireguard.js";
import { path, raw, readFile, type NixAttrs, type NixValue } from "../../render/nix.js";

export interface Probe {
  /** A host name, or the router for `external.wan`. */
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

/**
 * The test framework's own NIC (QEMU user networking for the driver) is eth0; a host whose uplink
 * has that name cannot get its uplink on a VLAN under the same name, so it is left out (and said so).
 */
const DRIVER_NIC = "eth0";
export const testable = (h: HostIR) => h.uplink.interface !== DRIVER_NIC;
export const untestable = (ir: TopologyIR) => ir.hosts.filter((h) => !testable(h)).map((h) => h.name);

/** Kept out of the 192.168.N.0/24 ranges the test framework assigns; RFC 2544 benchmarking space. */
const dhcpNet = (vlan: number) => `198.18.${vlan}.1/24`;

export function routerName(ir: TopologyIR): string {
  let name = "router";
  for (let i = 2; ir.hosts.some((h) => h.name === name); i++) name = `router${i}`;
  return name;
}

export function segments(ir: TopologyIR): Segment[] {
  const keyed = new Map<string, { subnet?: string; hosts: HostIR[] }>();
  for (const h of ir.hosts.filter(testable)) {
    const key = h.uplink.address && !h.uplink.dhcp ? networkOf(h.uplink.address) : `dhcp:${h.name}`;
    const s = keyed.get(key) ?? { ...(key.startsWith("dhcp:") ? {} : { subnet: key }), hosts: [] };
    s.hosts.push(h);
    keyed.set(key, s);
  }
  return [...keyed.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, s], i) => {
      const vlan = i + 1;
      if (!s.subnet) return { vlan, router: [dhcpNet(vlan)], dhcp: true, hosts: s.hosts.map((h) => h.name) };
      const prefix = s.subnet.split("/")[1]!;
      const gws = [...new Set(s.hosts.map((h) => h.uplink.gateway).filter((g): g is string => g !== undefined && contains(s.subnet!, g)))].sort();
      return { vlan, subnet: s.subnet, router: gws.map((g) => `${g}/${prefix}`), dhcp: false, hosts: s.hosts.map((h) => h.name) };
    });
}

const key = (p: { from: string; to: string; proto: string; port?: number }) => `${p.from}\u0000${p.to}\u0000${p.proto}\u0000${p.port ?? ""}`;

export function probes(ir: TopologyIR): Probe[] {
  const hosts = new Map(ir.hosts.filter(testable).map((h) => [h.name, h]));
  const out = new Map<string, Probe>();
  const add = (p: Probe) => {
    if (!out.has(key(p))) out.set(key(p), p);
  };
  const endpoint = (id: string) => (id === WAN ? WAN : hosts.has(id) ? id : undefined);
  // Only the cells this test can probe: from the internet or a host, to a host. The WireGuard
  // contributor has none (a mesh's cells need its keys; a tunnel's lead beyond the hosts), and
  // asking it would walk all pairs of mesh members.
  const probed = CONTRIBUTORS.filter((c) => c !== wireguardIntent);
  for (const c of intentFor(ir, betweenScope([WAN, ...hosts.keys()], hosts.keys()), probed).cells) {
    const from = endpoint(c.from);
    const to = endpoint(c.to);
    if (!from || !to || to === WAN || (c.proto !== "tcp" && c.proto !== "icmp")) continue;
    // Cells over a WireGuard mesh need its keys, which a test cannot have: topo verify proves them.
    if (c.reason.startsWith("meshes")) continue;
    add({ from, to, proto: c.proto, ...(c.port !== undefined ? { port: c.port } : {}), allowed: c.allowed, reason: c.reason });
  }
  for (const e of ir.expectations) {
    if (!hosts.has(e.from) || !hosts.has(e.to) || e.proto === "udp") continue;
    add({ from: e.from, to: e.to, proto: e.proto, ...(e.port !== undefined ? { port: e.port } : {}), allowed: e.reach, reason: originComment(e.origin, ir.source) });
  }
  const cmp = (a: Probe, b: Probe) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : (a.port ?? 0) - (b.port ?? 0));
  return [...out.values()].sort(cmp);
}

/** The test module, as plain data (the one function is the shared node defaults). */
export function reachabilityModule(ir: TopologyIR, hostModules: ReadonlyMap<string, readonly string[]>): NixAttrs {
  const segs = segments(ir);
  const router = routerName(ir);
  const nodes: Record<string, NixValue> = {};
  for (const h of ir.hosts.filter(testable)) {
    const seg = segs.find((s) => s.hosts.includes(h.name))!;
    nodes[h.name] = {
      imports: (hostModules.get(h.name) ?? []).map((m) => path(`../hosts/${h.name}/${m}`)),
      networking: { hostName: h.name },
      ...(h.forwarding.ipv4 ? { boot: { kernel: { sysctl: { "net.ipv4.conf.all.forwarding": true } } } } : {}),
      // The uplink NIC by its real name, unconfigured by the test framework: the generated units configure it.
      virtualisation: { interfaces: { [h.uplink.interface]: { vlan: seg.vlan } } },
    };
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
  nodes[router] = {
    networking: { hostName: router, useNetworkd: true, useDHCP: false, firewall: { enable: false } },
    boot: { kernel: { sysctl: { "net.ipv4.conf.all.forwarding": true } } },
    systemd: { network: { enable: true, networks: routerNetworks } },
    virtualisation: { interfaces: routerIfs },
  };
  return {
    name: "topo-reachability",
    defaults: raw("{ pkgs, ... }: { environment.systemPackages = [ pkgs.socat ]; }"),
    nodes,
    testScript: readFile("./reachability.py"),
  };
}

const py = (s: string) => JSON.stringify(s);

/** The Python test script: addresses, listeners, then one subtest per probe. */
export function reachabilityScript(ir: TopologyIR): string {
  const router = routerName(ir);
  const list = probes(ir);
  const lines: string[] = [
    `# Generated by topo from ${ir.source}: do not edit; change ${ir.source} and run \`topo compile\`.`,
    "# Test script of checks/reachability.nix: host-level reachability of the topology, probed on the",
    "# generated configurations (one node per host, a router node for the upstream network).",
    ...(untestable(ir).length ? [`# Not nodes (their uplink is ${DRIVER_NIC}, the test framework's own NIC): ${untestable(ir).join(", ")}.`] : []),
    "",
    "node = {m.name: m for m in machines}",
    "start_all()",
    "for m in machines:",
    '    m.wait_for_unit("systemd-networkd.service")',
    "",
    "",
    "def uplink_address(name, iface):",
    '    m = node[name]',
    '    m.wait_until_succeeds(f"ip -4 -o addr show dev {iface} | grep -q inet", timeout=90)',
    "    return m.succeed(f\"ip -4 -o addr show dev {iface} | awk '{{print $4}}' | cut -d/ -f1 | head -n1\").strip()",
    "",
    "",
    "address = {",
    ...ir.hosts.filter(testable).map((h) => `    ${py(h.name)}: ${h.uplink.dhcp || !h.uplink.address ? `uplink_address(${py(h.name)}, ${py(h.uplink.interface)})` : py(addressOf(h.uplink.address))},`),
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
  for (const p of list) if (p.proto === "tcp") listeners.set(`${p.to}\u0000${p.port}`, p);
  if (listeners.size) lines.push("");
  for (const p of listeners.values()) lines.push(`listen(${py(p.to)}, ${p.port})`);
  for (const p of list) {
    const src = p.from === WAN ? router : p.from;
    const title = `${p.from} -> ${p.to} ${p.proto}${p.port !== undefined ? `/${p.port}` : ""}: ${p.allowed ? "allowed" : "blocked"} (${p.reason})`;
    lines.push("", `with subtest(${py(title)}):`, `    probe(${py(src)}, ${py(p.to)}, ${py(p.proto)}, ${p.port ?? "None"}, ${p.allowed ? "True" : "False"})`);
  }
  return lines.join("\n") + "\n";
}
