/**
 * resolve, WireGuard part: meshes, client tunnels and VPN servers -> IR, and each host's
 * WireGuard interfaces with every decision taken:
 *
 * - Overlay and client addresses are given or allocated, and allocations are kept in
 *   topo.lock.json (section `wireguard`) so that adding a member never renumbers another.
 * - Public keys come from the topology or the lock (`topo keys` puts them there).
 * - Shape. full: every member peers with every other, each peer's allowed-ips are its /32 and
 *   the subnets it publishes. hub: spokes have one peer, the hub, whose allowed-ips cover the
 *   whole overlay and every other spoke's subnets; the hub peers with every spoke and forwards
 *   between them, so spokes reach each other through the hub and only through it.
 * - Published subnets are routed onto the mesh interface on every other member, with the mesh's
 *   metric; the member's own overlay prefix gives the route to the overlay itself.
 * - Tunnels: their default route lives in a table of its own, and policy rules send only the
 *   sources in `usedBy` there (a `main` lookup that ignores the default route comes first, so
 *   local and mesh destinations stay where they are). Packets leaving a tunnel are masqueraded to
 *   the tunnel's address: the far end (WARP) accepts only the address it assigned.
 * - Exits across a mesh (`exitVia: "<host>.<tunnel>"`): the user's overlay address is its source;
 *   on the user (and on a hub in between) a policy rule sends that source into a table whose
 *   default route is the mesh interface, and the peer towards the exit gets 0.0.0.0/0 in its
 *   allowed-ips; on the exit host the same source is policy-routed into the tunnel.
 *
 * Assumes the rules accepted the topology (references exist, keys are present).
 */
import type { Path } from "../diag/diagnostic.js";
import type { LockBuilder } from "../ir/lock.js";
import type { Origin } from "../ir/types.js";
import type { MeshIR, MeshMemberIR, PolicyRuleIR, TunnelIR, TunnelUserIR, VpnServerIR, WgInterfaceIR, WgPeerIR, WgRouteIR, WgSecretIR } from "../ir/wireguard.js";
import type { HostParsed, TopologyParsed } from "../model/topology.js";
import { isIPv4Cidr } from "../model/common.js";
import { addressOf, fromInt, networkOf, parseCidr, toInt } from "../net/ipv4.js";
import { containerPort } from "./resolve-ovs.js";
import { defaultPrivateKeyFile, keyNeeds, LOCK_SECTION, publicKeyOf, secretFileName, wireguardLock, type KeyNeed, type WireguardLock } from "./wireguard-keys.js";

export const DEFAULT_KEEPALIVE = 25;
export const DEFAULT_ROUTE_METRIC = 50;
/** Policy rule priorities: the main table without its default route first, then the exit table. */
export const PRIORITY_MAIN = 10000;
export const PRIORITY_EXIT = 10010;
/** Routing tables topo allocates start here (253-255 are the kernel's own). */
export const FIRST_TABLE = 100;

export interface WireguardResolution {
  readonly meshes: MeshIR[];
  readonly tunnels: ReadonlyMap<string, TunnelIR[]>;
  readonly vpnServers: ReadonlyMap<string, VpnServerIR[]>;
  readonly interfaces: ReadonlyMap<string, WgInterfaceIR[]>;
  /** Hosts that forward others' traffic because of WireGuard (hubs, publishers, exits). */
  readonly carriers: ReadonlySet<string>;
}

type OriginOf = (path: Path) => Origin;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sorted = (xs: Iterable<string>) => [...xs].sort();
const defaultRoute = "0.0.0.0/0";

/** Mutable per-interface builder; frozen into WgInterfaceIR at the end. */
interface IfaceDraft {
  kind: WgInterfaceIR["kind"];
  name: string;
  origin: Origin;
  owner: string;
  privateKeyFile: string;
  publicKey?: string;
  listenPort?: number;
  addresses: string[];
  peers: { name: string; origin: Origin; publicKey: string; allowedIPs: string[]; endpoint?: string; keepalive?: number }[];
  routes: WgRouteIR[];
  policyRules: PolicyRuleIR[];
  masquerade: boolean;
  openOnUplink: boolean;
}

export function resolveWireguard(topo: TopologyParsed, origin: OriginOf, lock: LockBuilder): WireguardResolution {
  const prev = wireguardLock(lock.previous);
  const next: { addresses: Record<string, Record<string, string>>; clients: Record<string, Record<string, Record<string, string>>>; publicKeys: Record<string, Record<string, string>>; tables: Record<string, Record<string, number>> } = {
    addresses: {},
    clients: {},
    publicKeys: {},
    tables: {},
  };
  const drafts = new Map<string, IfaceDraft[]>();
  const carriers = new Set<string>();
  const addDraft = (host: string, d: IfaceDraft) => {
    const list = drafts.get(host) ?? [];
    list.push(d);
    drafts.set(host, list);
  };
  const draftOf = (host: string, iface: string) => drafts.get(host)!.find((d) => d.name === iface)!;

  // Public keys: the topology's, else the lock's (kept in the new lock only while still needed).
  const needs = keyNeeds(topo);
  const needByIface = new Map(needs.map((n) => [`${n.host}\u0000${n.iface}`, n]));
  const needOf = (host: string, iface: string) => needByIface.get(`${host}\u0000${iface}`)!;
  const keyOf = (n: KeyNeed): string | undefined => {
    const k = publicKeyOf(n, lock.previous);
    if (k !== undefined && n.given === undefined) (next.publicKeys[n.host] ??= {})[n.iface] = k;
    return k;
  };
  for (const n of needs) keyOf(n);
  const secretOf = (host: string, iface: string) => keySecret(topo, needOf(host, iface));
  const keyFileOf = (n: KeyNeed) => secretKeyFile(keySecret(topo, n)) ?? n.privateKeyFile;

  const tables = new TableAllocator(topo, prev, next.tables);

  // --- Meshes -------------------------------------------------------------------------------
  const meshes: MeshIR[] = [];
  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const base: Path = ["meshes", meshName];
    const hosts = sorted(Object.keys(mesh.members));
    const given = Object.fromEntries(hosts.flatMap((h) => (mesh.members[h]!.address ? [[h, mesh.members[h]!.address!]] : [])));
    const addresses = allocate(mesh.subnet, hosts, given, prev.addresses?.[meshName] ?? {}, 1);
    const allocated = Object.fromEntries(hosts.filter((h) => !(h in given)).map((h) => [h, addresses[h]!]));
    if (Object.keys(allocated).length) next.addresses[meshName] = allocated;

    const defaultKeepalive = mesh.keepalive ?? DEFAULT_KEEPALIVE;
    const members: MeshMemberIR[] = hosts.map((h) => {
      const m = mesh.members[h]!;
      const keepalive = m.keepalive ?? (m.behindNat ? defaultKeepalive : undefined);
      const need = needOf(h, mesh.interface);
      return {
        host: h,
        origin: origin([...base, "members", h]),
        address: addresses[h]!,
        publicKey: keyOf(need) ?? "",
        ...(m.endpoint && !m.behindNat ? { endpoint: m.endpoint } : {}),
        behindNat: m.behindNat ?? false,
        ...(keepalive ? { keepalive } : {}),
        publishes: sorted(new Set((m.publishes ?? []).map((p) => publishedNetwork(topo.hosts[h]!, p)))),
        privateKeyFile: keyFileOf(need),
      };
    });
    const ir: MeshIR = {
      name: meshName,
      origin: origin(base),
      ...(mesh.description ? { description: mesh.description } : {}),
      interface: mesh.interface,
      listenPort: mesh.listenPort,
      subnet: networkOf(mesh.subnet),
      shape: mesh.shape,
      ...(mesh.hub ? { hub: mesh.hub } : {}),
      routeMetric: mesh.routeMetric ?? DEFAULT_ROUTE_METRIC,
      members,
    };
    meshes.push(ir);

    const prefix = parseCidr(mesh.subnet).prefix;
    // Per member, only what it writes: a spoke's one peer and the routes to what others publish
    // (not a walk over all members, which made a hub-and-spoke mesh quadratic).
    const publishers = members.filter((o) => o.publishes.length > 0);
    const hub = members.find((o) => o.host === ir.hub);
    for (const me of members) {
      const isSpoke = ir.shape === "hub" && me.host !== ir.hub;
      const othersPublishing = publishers.filter((o) => o.host !== me.host);
      const peerOf = (o: MeshMemberIR, allowedIPs: string[]) => ({
        name: o.host,
        origin: o.origin,
        publicKey: o.publicKey,
        allowedIPs,
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        ...(me.keepalive ? { keepalive: me.keepalive } : {}),
      });
      const peers = isSpoke
        ? [
            peerOf(hub!, [
              ir.subnet,
              ...othersPublishing.flatMap((o) => o.publishes),
            ]),
          ]
        : members.filter((o) => o.host !== me.host).map((o) => peerOf(o, [`${o.address}/32`, ...o.publishes]));
      addDraft(me.host, {
        kind: "mesh",
        name: ir.interface,
        origin: ir.origin,
        owner: meshName,
        privateKeyFile: me.privateKeyFile,
        ...(me.publicKey ? { publicKey: me.publicKey } : {}),
        listenPort: ir.listenPort,
        addresses: [`${me.address}/${prefix}`],
        peers,
        routes: othersPublishing.flatMap((o) =>
          o.publishes.map((net) => ({ origin: origin([...base, "members", o.host, "publishes"]), destination: net, metric: ir.routeMetric })),
        ),
        policyRules: [],
        masquerade: false,
        openOnUplink: me.endpoint !== undefined,
      });
      if (me.publishes.length) carriers.add(me.host);
    }
    if (ir.shape === "hub" && ir.hub) carriers.add(ir.hub);
  }

  // --- Tunnels ------------------------------------------------------------------------------
  const tunnels = new Map<string, TunnelIR[]>();
  for (const [hostName, host] of Object.entries(topo.hosts).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [iface, t] of Object.entries(host.tunnels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const base: Path = ["hosts", hostName, "tunnels", iface];
      const o = origin(base);
      const table = t.table ?? tables.get(hostName, iface);
      const users = tunnelUsers(topo, hostName, iface, meshes, origin);
      const need = needOf(hostName, iface);
      const publicKey = keyOf(need);
      const keepalive = t.keepalive ?? DEFAULT_KEEPALIVE;
      const allowedIPs = (t.allowedIPs ?? [defaultRoute]).map(networkOf);
      const ir: TunnelIR = {
        name: iface,
        origin: o,
        ...(t.description ? { description: t.description } : {}),
        endpoint: t.endpoint,
        peerPublicKey: t.publicKey,
        ...(publicKey ? { publicKey } : {}),
        address: t.address,
        allowedIPs,
        ...(t.listenPort !== undefined ? { listenPort: t.listenPort } : {}),
        ...(keepalive ? { keepalive } : {}),
        ...(t.bridge ? { bridge: t.bridge } : {}),
        table,
        users,
        privateKeyFile: keyFileOf(need),
      };
      tunnels.set(hostName, [...(tunnels.get(hostName) ?? []), ir]);
      addDraft(hostName, {
        kind: "tunnel",
        name: iface,
        origin: o,
        owner: iface,
        privateKeyFile: ir.privateKeyFile,
        ...(publicKey ? { publicKey } : {}),
        ...(ir.listenPort !== undefined ? { listenPort: ir.listenPort } : {}),
        addresses: [t.address],
        peers: [{ name: `${iface} far end`, origin: o, publicKey: t.publicKey, allowedIPs: [...allowedIPs], endpoint: t.endpoint, ...(keepalive ? { keepalive } : {}) }],
        // The default route only ever goes to the tunnel's table: the host's own default stays.
        routes: allowedIPs.map((net) => ({ origin: o, destination: net, ...(net === defaultRoute ? { table } : {}) })),
        policyRules: users.flatMap((u) => exitRules(u.origin, u.source, table)),
        masquerade: true,
        openOnUplink: false,
      });
      if (users.some((u) => u.kind === "remote")) carriers.add(hostName);
    }
  }

  // --- Exits across a mesh: the user's side (and a hub in between) -------------------------
  for (const [hostName, list] of tunnels) {
    for (const t of list) {
      for (const u of t.users.filter((x) => x.kind === "remote")) {
        const [userHost] = u.ref.split(".") as [string];
        const mesh = meshes.find((m) => m.interface === u.via && m.members.some((x) => x.host === userHost) && m.members.some((x) => x.host === hostName))!;
        const why = u.origin;
        const key = `exit-${hostName}-${t.name}`;
        // The hops a packet takes over the mesh: user -> exit, or user -> hub -> exit for two spokes.
        const path = mesh.shape === "hub" && userHost !== mesh.hub && hostName !== mesh.hub ? [userHost, mesh.hub!, hostName] : [userHost, hostName];
        for (let i = 0; i < path.length - 1; i++) {
          const here = path[i]!;
          const nextHop = path[i + 1]!;
          const d = draftOf(here, mesh.interface);
          const table = tables.get(here, key);
          if (!d.routes.some((r) => r.table === table)) d.routes.push({ origin: why, destination: defaultRoute, table });
          d.policyRules.push(...exitRules(why, u.source, table));
          const peer = d.peers.find((p) => p.name === nextHop) ?? d.peers[0]!;
          if (!peer.allowedIPs.includes(defaultRoute)) peer.allowedIPs.push(defaultRoute);
          if (i > 0) carriers.add(here);
        }
      }
    }
  }

  // --- VPN servers --------------------------------------------------------------------------
  const vpnServers = new Map<string, VpnServerIR[]>();
  for (const [hostName, host] of Object.entries(topo.hosts).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [iface, v] of Object.entries(host.vpnServers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const base: Path = ["hosts", hostName, "vpnServers", iface];
      const pool = parseCidr(v.pool);
      const serverAddress = fromInt(pool.network + 1);
      const names = sorted(Object.keys(v.clients ?? {}));
      const given = Object.fromEntries(names.flatMap((c) => (v.clients![c]!.address ? [[c, v.clients![c]!.address!]] : [])));
      const addresses = allocate(v.pool, names, { ...given, "\u0000server": serverAddress }, prev.clients?.[hostName]?.[iface] ?? {}, 2);
      const allocated = Object.fromEntries(names.filter((c) => !(c in given)).map((c) => [c, addresses[c]!]));
      if (Object.keys(allocated).length) (next.clients[hostName] ??= {})[iface] = allocated;
      const need = needOf(hostName, iface);
      const publicKey = keyOf(need);
      const ir: VpnServerIR = {
        name: iface,
        origin: origin(base),
        ...(v.description ? { description: v.description } : {}),
        listenPort: v.listenPort,
        pool: networkOf(v.pool),
        address: `${serverAddress}/${pool.prefix}`,
        ...(publicKey ? { publicKey } : {}),
        clients: names.map((c) => ({
          name: c,
          origin: origin([...base, "clients", c]),
          publicKey: v.clients![c]!.publicKey,
          address: addresses[c]!,
          ...(v.clients![c]!.description ? { description: v.clients![c]!.description } : {}),
        })),
        nat: v.nat,
        privateKeyFile: keyFileOf(need),
      };
      vpnServers.set(hostName, [...(vpnServers.get(hostName) ?? []), ir]);
      addDraft(hostName, {
        kind: "vpn",
        name: iface,
        origin: ir.origin,
        owner: iface,
        privateKeyFile: ir.privateKeyFile,
        ...(publicKey ? { publicKey } : {}),
        listenPort: ir.listenPort,
        addresses: [ir.address],
        peers: ir.clients.map((c) => ({ name: c.name, origin: c.origin, publicKey: c.publicKey, allowedIPs: [`${c.address}/32`] })),
        routes: [],
        policyRules: [],
        masquerade: false,
        openOnUplink: true,
      });
      if (ir.clients.length) carriers.add(hostName);
    }
  }

  lock.write(LOCK_SECTION, pruneEmpty(next));

  const interfaces = new Map<string, WgInterfaceIR[]>();
  for (const [host, list] of drafts) interfaces.set(host, list.map((d) => freeze(d, secretOf(host, d.name))).sort(byName));
  return { meshes, tunnels, vpnServers, interfaces, carriers };
}

/** The ports tunnels add to a bridge: what the bridge's own pass must plug in (e.g. OVS ports). */
export function tunnelPortsOf(host: { readonly tunnels: readonly TunnelIR[] }, bridge: string): string[] {
  return host.tunnels.filter((t) => t.bridge === bridge).map((t) => t.name);
}

function exitRules(origin: Origin, source: string, table: number): PolicyRuleIR[] {
  const from = `${addressOf(source)}/32`;
  return [
    { origin, from, table: "main", priority: PRIORITY_MAIN, suppressPrefixLength: 0 },
    { origin, from, table, priority: PRIORITY_EXIT },
  ];
}

/** Who exits through a tunnel: its `usedBy`, every container hop of a chain ending in it, and every service elsewhere whose exitVia names it. */
function tunnelUsers(topo: TopologyParsed, hostName: string, iface: string, meshes: readonly MeshIR[], origin: OriginOf): TunnelUserIR[] {
  const host = topo.hosts[hostName]!;
  // Where each user is declared: the service's exitVia when it has one, else the usedBy entry.
  const refs = new Map<string, Path>();
  (host.tunnels![iface]!.usedBy ?? []).forEach((ref, i) => refs.set(ref, ["hosts", hostName, "tunnels", iface, "usedBy", i]));
  for (const [h, other] of Object.entries(topo.hosts)) {
    for (const [s, svc] of Object.entries(other.services ?? {})) {
      if (svc.exitVia === `${hostName}.${iface}`) refs.set(`${h}.${s}`, ["hosts", h, "services", s, "exitVia"]);
    }
  }
  // A chain that ends in this tunnel sends every container hop's traffic into it (relayed, with
  // the hop's own source): each is a user, declared by the chain.
  for (const [chName, ch] of Object.entries(host.chains ?? {})) {
    if (ch.hops[ch.hops.length - 1] !== iface) continue;
    ch.hops.forEach((hop, i) => {
      const c = Object.entries(host.containers ?? {}).find(([n, x]) => n === hop || containerPort(x) === hop);
      if (c && !refs.has(c[0])) refs.set(c[0], ["hosts", hostName, "chains", chName, "hops", i]);
    });
  }
  const users: TunnelUserIR[] = [];
  for (const ref of sorted(refs.keys())) {
    const o = origin(refs.get(ref)!);
    if (!ref.includes(".")) {
      users.push({ kind: "container", ref, origin: o, source: addressOf(host.containers![ref]!.address) });
      continue;
    }
    const [userHost] = ref.split(".") as [string];
    const mesh = sharedMesh(meshes, userHost, hostName)!;
    users.push({ kind: "remote", ref, origin: o, source: mesh.members.find((m) => m.host === userHost)!.address, via: mesh.interface });
  }
  return users;
}

/** The first mesh (by name) both hosts are members of. */
export function sharedMesh<M extends { name: string; members: readonly { host: string }[] }>(meshes: readonly M[], a: string, b: string): M | undefined {
  return [...meshes].sort(byName).find((m) => m.members.some((x) => x.host === a) && m.members.some((x) => x.host === b));
}

/** A published subnet: a CIDR as written, or the subnet of a bridge of the member. */
export function publishedNetwork(host: HostParsed, entry: string): string {
  if (isIPv4Cidr(entry)) return networkOf(entry);
  return networkOf(host.bridges![entry]!.address!);
}

/**
 * Addresses in `subnet` for `names`: given ones first, then the lock's (still free and inside),
 * then the lowest free address from `network + firstOffset`. Never the network or broadcast address.
 */
export function allocate(subnet: string, names: readonly string[], given: Record<string, string>, locked: Record<string, string>, firstOffset: number): Record<string, string> {
  const net = parseCidr(subnet);
  const last = net.size > 2 ? net.network + net.size - 2 : net.network + net.size - 1;
  const taken = new Set(Object.values(given).map(toInt));
  const out: Record<string, string> = {};
  for (const n of names) if (given[n]) out[n] = given[n]!;
  for (const n of names) {
    if (out[n] || !locked[n]) continue;
    const a = toInt(locked[n]!);
    if (a >= net.network + 1 && a <= last && !taken.has(a)) {
      out[n] = locked[n]!;
      taken.add(a);
    }
  }
  let cursor = net.network + firstOffset;
  for (const n of names) {
    if (out[n]) continue;
    while (taken.has(cursor) && cursor <= last) cursor++;
    if (cursor > last) throw new Error(`internal: subnet ${subnet} is exhausted (the rules should have said so)`);
    out[n] = fromInt(cursor);
    taken.add(cursor);
  }
  return out;
}

/** Routing tables per host: given ones are reserved, locked ones kept, new ones from FIRST_TABLE up. */
class TableAllocator {
  constructor(
    private readonly topo: TopologyParsed,
    private readonly prev: WireguardLock,
    private readonly next: Record<string, Record<string, number>>,
  ) {}

  get(host: string, key: string): number {
    const got = this.next[host]?.[key];
    if (got !== undefined) return got;
    const given = new Set(Object.values(this.topo.hosts[host]?.tunnels ?? {}).flatMap((t) => (t.table !== undefined ? [t.table] : [])));
    const handedOut = new Set(Object.values(this.next[host] ?? {}));
    const locked = this.prev.tables?.[host] ?? {};
    let table: number;
    if (locked[key] !== undefined && !given.has(locked[key]!) && !handedOut.has(locked[key]!)) table = locked[key]!;
    else {
      // Tables the lock holds for other keys stay reserved, so that nothing else moves.
      const reserved = new Set(Object.entries(locked).filter(([k]) => k !== key).map(([, v]) => v));
      table = FIRST_TABLE;
      while (given.has(table) || handedOut.has(table) || reserved.has(table)) table++;
    }
    (this.next[host] ??= {})[key] = table;
    return table;
  }
}

/**
 * The key as a secret of the host's secrets tool (the host's `secrets`, else the fleet's), when
 * topo names its path (an explicit privateKeyFile says the key is delivered some other way).
 * sops-nix: `topo/<host>-<if>.key`, whose default path is topo's default key path; agenix:
 * `topo-<host>-<if>.key` from `agenix/<host>-<if>.key.age` in the flake.
 */
export function keySecret(topo: TopologyParsed, need: KeyNeed): WgSecretIR | undefined {
  const backend = topo.hosts[need.host]?.secrets ?? topo.secrets ?? "path";
  if (backend === "path" || need.privateKeyFile !== defaultPrivateKeyFile(need.host, need.iface)) return undefined;
  const file = secretFileName(need.host, need.iface);
  return backend === "sops-nix" ? { backend, name: `topo/${file}` } : { backend, name: `topo-${file}`, file: `agenix/${file}.age` };
}

/** The path the secret's tool puts the key at by default (sops-nix: /run/secrets/<name>, agenix: /run/agenix/<name>). */
function secretKeyFile(secret: WgSecretIR | undefined): string | undefined {
  if (!secret) return undefined;
  return secret.backend === "sops-nix" ? `/run/secrets/${secret.name}` : `/run/agenix/${secret.name}`;
}

function freeze(d: IfaceDraft, secret: WgSecretIR | undefined): WgInterfaceIR {
  return {
    kind: d.kind,
    name: d.name,
    origin: d.origin,
    owner: d.owner,
    privateKeyFile: d.privateKeyFile,
    ...(secret ? { secret } : {}),
    ...(d.publicKey ? { publicKey: d.publicKey } : {}),
    ...(d.listenPort !== undefined ? { listenPort: d.listenPort } : {}),
    addresses: d.addresses,
    peers: d.peers.map((p): WgPeerIR => ({ ...p, allowedIPs: [...p.allowedIPs] })).sort(byName),
    routes: d.routes,
    policyRules: dedupeRules(d.policyRules),
    masquerade: d.masquerade,
    openOnUplink: d.openOnUplink,
  };
}

function dedupeRules(rules: readonly PolicyRuleIR[]): PolicyRuleIR[] {
  const seen = new Set<string>();
  const out: PolicyRuleIR[] = [];
  for (const r of rules) {
    const k = `${r.priority} ${r.from} ${r.table} ${r.suppressPrefixLength ?? ""}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out.sort((a, b) => a.priority - b.priority || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
}

function pruneEmpty(lock: Record<string, Record<string, unknown>>): WireguardLock | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(lock)) if (Object.keys(v).length) out[k] = v;
  return Object.keys(out).length ? (out as WireguardLock) : undefined;
}
