/**
 * The adversarial cells: what a guest that misbehaves must still not achieve, derived from the
 * rest of the matrix and the topology (never written by hand in a probe). Only the lab can probe
 * them (a NixOS test node cannot lie about its address), so they are not part of `intentMatrix`
 * (which diff, expectations and the flake's reachability test read) but of `labMatrix`.
 *
 * - Spoofed sources: every UDP cell a guest (VM or container) is allowed is sent again from a
 *   neighbour's address (never that of a chain hop it relays) and from an address on no subnet of
 *   the fleet; neither may be delivered.
 *   The sender does not hold the address, so only delivery at the destination is observed.
 * - Renumbered containers: every cell a container is denied is tried again after the container
 *   gave itself another free address of its subnet: isolation keys on its port, not its address.
 * - A VM asks the host for its host services at its own gateway only: at the host's other
 *   addresses (another VM's gateway, the uplink, a bridge, the overlay) they are closed, as is a
 *   closed port everywhere (its own gateway too), over TCP and UDP; unless its bridge is trusted.
 * - UDP beside TCP and ICMP: a VM reaches the internet over UDP too, and is isolated from the
 *   other VMs over UDP as over TCP; a container's way beyond a tunnel (or not) is the same over
 *   UDP as over ICMP (so its spoofed and renumbered twins are tried too).
 * - A VM network's SSH port is for the admin interface: the internet reaches it on the host only
 *   where the host's own firewall opens it.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { addressOf, contains, fromInt, parseCidr } from "../../net/ipv4.js";
import type { IntentCell, IntentEndpoint, IntentMatrix } from "../intent.js";
import { closedPort, WAN, wanReachable } from "./host-firewall.js";
import { beyondTunnelId } from "./wireguard.js";

/** An address on no subnet of any fleet topo's fuzzing or the reference writes (shared address space, RFC 6598). */
export const OFF_SUBNET = "100.64.0.77";
/** A UDP port for "reaches the internet over UDP" (any port is allowed). */
export const WAN_UDP_PROBE_PORT = 53;
/** A UDP port probed beyond a tunnel (everything goes through it). */
export const TUNNEL_UDP_PROBE_PORT = 53;

export function adversarialIntent(ir: TopologyIR, base: IntentMatrix): IntentMatrix {
  const endpoints: IntentEndpoint[] = [];
  const cells: IntentCell[] = [];
  const guests = guestAddresses(ir);

  for (const host of ir.hosts) cells.push(...vmCells(ir, host));
  cells.push(...tunnelUdpCells(ir, base));

  // Spoofed sources, for every UDP cell a guest is allowed (the base and the VM cells above).
  for (const c of [...base.cells, ...cells.filter((x) => !x.variant)]) {
    const g = guests.get(c.from);
    if (!c.allowed || c.proto !== "udp" || !g || c.source) continue;
    const neighbour = g.neighbours.find((n) => n.id !== c.to);
    const fakes = [...(neighbour ? [{ address: neighbour.address, whose: `${neighbour.id}'s address` }] : []), { address: OFF_SUBNET, whose: "an address on no subnet" }];
    for (const f of fakes) {
      cells.push({
        ...c,
        variant: `spoofed ${f.address}`,
        source: { address: `${f.address}/32`, spoofed: true },
        allowed: false,
        reason: `spoofed source ${f.address} (${f.whose}): a guest sends from its own address only; unspoofed: ${c.reason}`,
      });
    }
  }

  // Renumbered containers: what a container is denied, it is denied from any address.
  for (const c of [...base.cells, ...cells.filter((x) => !x.variant)]) {
    const g = guests.get(c.from);
    if (c.allowed || !g || g.kind !== "container" || c.source || g.renumbered === g.address) continue;
    cells.push({
      ...c,
      variant: `renumbered ${addressOf(g.renumbered)}`,
      source: { address: g.renumbered, spoofed: false },
      reason: `renumbered to ${addressOf(g.renumbered)} inside its namespace: isolation keys on its port, not its address; as ${addressOf(g.address)}: ${c.reason}`,
    });
  }
  return { endpoints, cells };
}

function vmCells(ir: TopologyIR, host: HostIR): IntentCell[] {
  const net = host.vmNetwork;
  if (!net || net.vms.length === 0) return [];
  const out: IntentCell[] = [];
  const fw = host.firewall;
  const where = net.origin.path;
  const id = (vm: string) => `${host.name}.${vm}`;
  const tcpOpen = [...fw.tcp, ...net.hostServices.filter((s) => s.proto === "tcp").map((s) => s.port), net.sshPort];
  const udpOpen = [...fw.udp, ...net.hostServices.filter((s) => s.proto === "udp").map((s) => s.port)];
  const closed = { tcp: closedPort(tcpOpen, fw.tcpRanges), udp: closedPort(udpOpen, fw.udpRanges) };

  // The host's addresses a VM can aim at besides its own gateway.
  // (One other VM's gateway per VM, the next one: they are all alike, and N(N-1) probes are not.)
  const base: { address: string; what: string }[] = [];
  if (host.uplink.address) base.push({ address: addressOf(host.uplink.address), what: "the uplink address" });
  for (const b of host.bridges) if (b.address) base.push({ address: addressOf(b.address), what: `bridge ${b.name}` });
  for (const m of ir.meshes) for (const mem of m.members) if (mem.host === host.name) base.push({ address: mem.address, what: `its overlay address on ${m.interface}` });

  net.vms.forEach((a, i) => {
    const next = net.vms[(i + 1) % net.vms.length]!;
    const others = [{ address: a.gateway, what: "its own gateway" }, ...(next !== a ? [{ address: next.gateway, what: `${next.name}'s gateway` }] : []), ...base];
    const trusted = fw.trustedInterfaces.includes(a.bridge);
    for (const t of others) {
      const own = t.address === a.gateway;
      const at = { from: id(a.name), to: host.name, toAddress: t.address, variant: `at ${t.address}` };
      // Host services are asked for at the VM's own gateway (the base matrix); elsewhere they are closed.
      if (!own) {
        for (const s of net.hostServices) {
          out.push({ ...at, proto: s.proto, port: s.port, allowed: trusted, reason: trusted ? `${host.origin.path}.firewall.trustedInterfaces has ${a.bridge}` : `${where}.hostServices: a VM asks the host at its own gateway only, not at ${t.what}` });
        }
      }
      for (const proto of ["tcp", "udp"] as const) {
        out.push({
          ...(own ? { from: at.from, to: at.to, toAddress: at.toAddress, variant: "closed port" } : at),
          proto,
          port: closed[proto],
          allowed: trusted,
          reason: trusted ? `${host.origin.path}.firewall.trustedInterfaces has ${a.bridge}` : `${where}: a VM reaches the host only on hostServices (${proto}/${closed[proto]} is none; ${t.what})`,
        });
      }
    }
    out.push({ from: id(a.name), to: WAN, proto: "udp", port: WAN_UDP_PROBE_PORT, allowed: true, reason: `${where}.uplink (VMs reach the internet over UDP too)` });
    for (const b of net.vms) {
      if (a === b || net.exceptions.some((e) => e.from === a.name && e.to === b.name && e.proto === "udp" && e.port === closed.udp)) continue;
      out.push({ from: id(a.name), to: id(b.name), proto: "udp", port: closed.udp, allowed: false, reason: `${where}: VMs are isolated (over UDP too)` });
    }
  });
  if (wanReachable(host)) {
    const open = fw.tcp.includes(net.sshPort) || fw.tcpRanges.some((r) => net.sshPort >= r.from && net.sshPort <= r.to) || fw.trustedInterfaces.includes(host.uplink.interface);
    out.push({
      from: WAN,
      to: host.name,
      ...(host.uplink.address ? { toAddress: addressOf(host.uplink.address) } : {}),
      variant: "VM network ssh port",
      proto: "tcp",
      port: net.sshPort,
      allowed: open,
      reason: open ? `tcp/${net.sshPort} open in ${fw.origin.path}` : `${where}.sshPort ${net.sshPort} is for the admin interface, not open in ${fw.origin.path}`,
    });
  }
  return out;
}

/** UDP beside ICMP through tunnels: a container's way beyond a tunnel (or not) is the same over UDP. */
function tunnelUdpCells(ir: TopologyIR, base: IntentMatrix): IntentCell[] {
  const beyond = new Set(ir.hosts.flatMap((h) => h.tunnels.map((t) => beyondTunnelId(h.name, t.name))));
  const containers = new Set(ir.hosts.flatMap((h) => h.containers.map((c) => `${h.name}.${c.name}`)));
  return base.cells
    .filter((c) => c.proto === "icmp" && beyond.has(c.to) && containers.has(c.from) && !c.variant)
    .map((c) => ({ ...c, proto: "udp" as const, port: TUNNEL_UDP_PROBE_PORT, reason: `over UDP as over ICMP: ${c.reason}` }));
}

interface Guest {
  readonly kind: "vm" | "container";
  /** Its address with prefix. */
  readonly address: string;
  /** Guests on the same segment (same host's VMs, same bridge's containers). */
  readonly neighbours: readonly { id: string; address: string }[];
  /** A free address of its subnet it can renumber itself to (containers). */
  readonly renumbered: string;
}

/** Every VM and container endpoint, with its neighbours and an address it could take instead. */
function guestAddresses(ir: TopologyIR): Map<string, Guest> {
  const out = new Map<string, Guest>();
  const taken = new Set<string>();
  for (const h of ir.hosts) {
    for (const c of h.containers) taken.add(addressOf(c.address));
    for (const b of h.bridges) if (b.address) taken.add(addressOf(b.address));
    for (const vm of h.vmNetwork?.vms ?? []) taken.add(addressOf(vm.guestAddress)).add(vm.gateway);
  }
  for (const h of ir.hosts) {
    const vms = h.vmNetwork?.vms ?? [];
    for (const vm of vms) {
      const neighbours = vms.filter((x) => x !== vm).map((x) => ({ id: `${h.name}.${x.name}`, address: addressOf(x.guestAddress) }));
      out.set(`${h.name}.${vm.name}`, { kind: "vm", address: vm.guestAddress, neighbours, renumbered: vm.guestAddress });
    }
    // A chain hop relays the traffic of the hops before it, from their addresses: those are its
    // to send from, not a forgery.
    const upstream = new Map<string, Set<string>>();
    for (const ch of h.chains) {
      const hops = ch.hops.filter((x) => x.kind === "container").map((x) => x.name);
      hops.forEach((name, i) => upstream.set(name, new Set([...(upstream.get(name) ?? []), ...hops.slice(0, i)])));
    }
    for (const c of h.containers) {
      const relayed = upstream.get(c.name) ?? new Set<string>();
      const neighbours = h.containers.filter((x) => x !== c && x.bridge === c.bridge && !relayed.has(x.name)).map((x) => ({ id: `${h.name}.${x.name}`, address: addressOf(x.address) }));
      const renumbered = freeBelowTop(c.address, taken);
      taken.add(addressOf(renumbered));
      out.set(`${h.name}.${c.name}`, { kind: "container", address: c.address, neighbours, renumbered });
    }
  }
  return out;
}

/**
 * A free address of the subnet, counted down from the top but keeping clear of its last ten
 * addresses (the lab's LAN machine takes the highest free one).
 */
function freeBelowTop(cidr: string, taken: Set<string>): string {
  const c = parseCidr(cidr);
  for (let a = c.network + c.size - 12; a > c.network; a--) {
    const ip = fromInt(a);
    if (!taken.has(ip) && contains(cidr, ip)) return `${ip}/${c.prefix}`;
  }
  return cidr;
}
