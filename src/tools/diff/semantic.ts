/**
 * The semantic diff of two compiled topologies: what a reviewer asks first. Objects (hosts,
 * bridges, containers, VMs, VM exceptions, tunnels, VPN servers and clients, chains, meshes and
 * their members, routes, host services) added, removed or changed field by field; the
 * reachability delta of the intent matrix; and which generated files changed. Read from the
 * resolved IR, the same data every backend lowers.
 */
import type { Compiled } from "../../compile.js";
import { CONTRIBUTORS, intentMatrix, type IntentCell, type IntentContributor } from "../../policy/intent.js";
import type { HostIR, TopologyIR } from "../../ir/types.js";

export type Kind =
  | "host"
  | "host service"
  | "route"
  | "bridge"
  | "container"
  | "VM"
  | "VM exception"
  | "tunnel"
  | "VPN server"
  | "VPN client"
  | "chain"
  | "mesh"
  | "mesh member";

export interface Item {
  readonly kind: Kind;
  /** Stable id within its kind, e.g. `node2.redis`, `hv1: vm1 -> vm2 tcp/5432`. */
  readonly id: string;
  /** What a reader wants to see of it, as short strings. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface FieldChange {
  readonly field: string;
  readonly before?: string;
  readonly after?: string;
}

export interface Changed {
  readonly kind: Kind;
  readonly id: string;
  readonly changes: readonly FieldChange[];
}

export interface ReachabilityChange {
  readonly from: string;
  readonly to: string;
  readonly proto: string;
  readonly port?: number;
  /** Why, in the revision where it holds (after for newly allowed, before for now blocked). */
  readonly reason: string;
}

export interface TopoDiff {
  readonly added: readonly Item[];
  readonly removed: readonly Item[];
  readonly changed: readonly Changed[];
  readonly reachability: { readonly newlyAllowed: readonly ReachabilityChange[]; readonly nowBlocked: readonly ReachabilityChange[] };
  readonly files: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
}

const list = (xs: readonly (string | number)[]) => (xs.length ? xs.join(" ") : "-");
const svc = (s: { name: string; proto: string; port: number }) => `${s.name} ${s.proto}/${s.port}`;

/** Every object of the fleet as an item; the order is the kinds' order, then by id. */
const byName = <T extends { readonly name: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** A bridge's own ports (Linux ports, OVS extra ports) and its flow count. */
function bridgeFields(b: HostIR["bridges"][number]): { ports: readonly string[]; flows: number } {
  if (b.kind === "linux") return { ports: b.ports, flows: 0 };
  return { ports: b.ovs.attachments.filter((a) => a.kind === "port").map((a) => a.name).sort(), flows: b.ovs.flows.length };
}

export function items(ir: TopologyIR): Item[] {
  const out: Item[] = [];
  const add = (kind: Kind, id: string, fields: Record<string, string | undefined>) => {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = v;
    out.push({ kind, id, fields: clean });
  };
  for (const h of ir.hosts) {
    const u = h.uplink;
    const fw = h.firewall;
    add("host", h.name, {
      system: h.system,
      uplink: `${u.interface} ${u.dhcp ? "DHCP" : (u.address ?? "-")}${u.gateway ? ` via ${u.gateway}` : ""}`,
      "public address": u.publicAddress,
      forwarding: h.forwarding.ipv4 ? "on" : "off",
      "open tcp ports": list([...fw.tcp, ...fw.tcpRanges.map((r) => `${r.from}-${r.to}`)]),
      "open udp ports": list([...fw.udp, ...fw.udpRanges.map((r) => `${r.from}-${r.to}`)]),
      "trusted interfaces": list(fw.trustedInterfaces),
      ping: fw.allowPing ? "allowed" : "dropped",
    });
    for (const s of h.services) add("host service", `${h.name}.${s.name}`, { port: `${s.proto}/${s.port}`, "exits via": s.exitVia });
    for (const r of h.routes) add("route", `${h.name} ${r.destination}`, { via: r.gateway ?? "-", interface: r.interface, metric: r.metric !== undefined ? String(r.metric) : undefined });
    for (const b of byName(h.bridges)) {
      const own = bridgeFields(b);
      add("bridge", `${h.name}.${b.name}`, { kind: b.kind, address: b.address ?? "-", ports: list(own.ports), flows: String(own.flows) });
    }
    for (const c of h.containers) {
      add("container", `${h.name}.${c.name}`, {
        id: String(c.id),
        address: c.address,
        gateway: c.gateway ?? "-",
        bridge: `${c.bridge} (${c.portType} ${c.port})`,
        services: list(c.services.map(svc)),
        role: c.role,
        runtime: c.runtime,
      });
    }
    for (const vm of h.vmNetwork?.vms ?? []) {
      add("VM", `${h.name}.${vm.name}`, { address: vm.guestAddress, bridge: `${vm.bridge} (tap ${vm.tap})`, hypervisor: vm.hypervisor, size: `${vm.vcpu} vCPU, ${vm.memory} MiB` });
    }
    for (const e of h.vmNetwork?.exceptions ?? []) add("VM exception", `${h.name}: ${e.from} -> ${e.to} ${e.proto}/${e.port}`, { comment: e.comment });
    for (const t of byName(h.tunnels)) add("tunnel", `${h.name}.${t.name}`, { endpoint: t.endpoint, address: t.address, bridge: t.bridge, "used by": list(t.users.map((x) => x.ref)) });
    for (const v of byName(h.vpnServers)) {
      add("VPN server", `${h.name}.${v.name}`, { port: v.listenPort !== undefined ? `udp/${v.listenPort}` : undefined, pool: v.pool });
      for (const c of byName(v.clients)) add("VPN client", `${h.name}.${v.name}.${c.name}`, { address: c.address });
    }
    for (const c of byName(h.chains)) add("chain", `${h.name}.${c.name}`, { bridge: c.bridge, hops: c.hops.map((x) => x.name).join(" -> ") });
  }
  for (const m of ir.meshes) {
    add("mesh", m.name, { interface: m.interface, subnet: m.subnet, port: m.listenPort !== undefined ? `udp/${m.listenPort}` : undefined, shape: m.shape === "hub" && m.hub ? `hub ${m.hub}` : m.shape });
    for (const mm of [...m.members].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))) add("mesh member", `${m.name}.${mm.host}`, { address: mm.address, endpoint: mm.endpoint, publishes: mm.publishes.length ? list(mm.publishes) : undefined });
  }
  return out;
}

const itemKey = (i: { kind: string; id: string }) => `${i.kind}\u0000${i.id}`;
const cellKey = (c: { from: string; to: string; proto: string; port?: number }) => `${c.from}\u0000${c.to}\u0000${c.proto}\u0000${c.port ?? ""}`;

export function diffItems(before: readonly Item[], after: readonly Item[]): Pick<TopoDiff, "added" | "removed" | "changed"> {
  const b = new Map(before.map((i) => [itemKey(i), i]));
  const a = new Map(after.map((i) => [itemKey(i), i]));
  const added = after.filter((i) => !b.has(itemKey(i)));
  const removed = before.filter((i) => !a.has(itemKey(i)));
  const changed: Changed[] = [];
  for (const i of after) {
    const old = b.get(itemKey(i));
    if (!old) continue;
    const fields = [...new Set([...Object.keys(old.fields), ...Object.keys(i.fields)])];
    const changes = fields
      .filter((f) => old.fields[f] !== i.fields[f])
      .map((f) => ({ field: f, ...(old.fields[f] !== undefined ? { before: old.fields[f] } : {}), ...(i.fields[f] !== undefined ? { after: i.fields[f] } : {}) }));
    if (changes.length) changed.push({ kind: i.kind, id: i.id, changes });
  }
  return { added, removed, changed };
}

/**
 * Newly allowed: allowed now, and denied or unknown before. Now blocked: allowed before, and
 * denied now, or gone now while both its ends still exist (a removed object's cells go with it;
 * its removal is reported above).
 */
export function diffReachability(before: readonly IntentCell[], after: readonly IntentCell[], endpointsAfter: ReadonlySet<string>): TopoDiff["reachability"] {
  const b = new Map(before.map((c) => [cellKey(c), c]));
  const a = new Map(after.map((c) => [cellKey(c), c]));
  const change = (c: IntentCell): ReachabilityChange => ({ from: c.from, to: c.to, proto: c.proto, ...(c.port !== undefined ? { port: c.port } : {}), reason: c.reason });
  const newlyAllowed = after.filter((c) => c.allowed && !b.get(cellKey(c))?.allowed).map(change);
  const nowBlocked = before
    .filter((c) => {
      if (!c.allowed) return false;
      const now = a.get(cellKey(c));
      return now ? !now.allowed : endpointsAfter.has(c.from) && endpointsAfter.has(c.to);
    })
    .map(change);
  return { newlyAllowed, nowBlocked };
}

export function diffFiles(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): TopoDiff["files"] {
  const ignore = (p: string) => p === "topo.manifest.json";
  const added = [...after.keys()].filter((p) => !before.has(p) && !ignore(p));
  const removed = [...before.keys()].filter((p) => !after.has(p) && !ignore(p));
  const changed = [...after.keys()].filter((p) => before.has(p) && !ignore(p) && before.get(p) !== after.get(p));
  return { added, removed, changed };
}

export function diffCompiled(before: Compiled, after: Compiled, contributors: readonly IntentContributor[] = CONTRIBUTORS): TopoDiff {
  const mb = intentMatrix(before.ir, contributors);
  const ma = intentMatrix(after.ir, contributors);
  const endpoints = new Set([
    ...ma.endpoints.map((e) => e.id),
    ...after.ir.hosts.flatMap((h) => [h.name, ...h.containers.map((c) => `${h.name}.${c.name}`), ...(h.vmNetwork?.vms ?? []).map((v) => `${h.name}.${v.name}`)]),
  ]);
  return {
    ...diffItems(items(before.ir), items(after.ir)),
    reachability: diffReachability(mb.cells, ma.cells, endpoints),
    files: diffFiles(before.plan, after.plan),
  };
}
