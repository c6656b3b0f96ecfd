/**
 * resolve, VM networks: defaults, and the allocations that must never move — each VM's network
 * number (hence its subnet, bridge and guest addresses) and its MAC. A VM keeps what
 * topo.lock.json says it has; a pinned `index` wins; a new VM takes the lowest free number whose
 * subnet overlaps nothing else on the host, in name order (so declaration order never matters).
 * Adding, removing or reordering VMs therefore never renumbers another VM.
 */
import { createHash } from "node:crypto";
import { error, type Diagnostic, type Path } from "../diag/diagnostic.js";
import type { Hypervisor, Origin, VmExceptionIR, VmIR, VmNetworkIR } from "../ir/types.js";
import type { HostParsed, TopologyParsed } from "../model/topology.js";
import { addressOf, networkOf, parseCidr } from "../net/ipv4.js";
import { vmPool } from "../net/vm-pool.js";
import { vmBridgeName, vmLogicalPath, vmTapName } from "./vm-names.js";

/** Lock section `vmNetwork`: host -> VM -> its allocation. */
export interface VmLockEntry {
  readonly index: number;
  readonly mac: string;
  /** Informational (derived from index and pool): makes the lock's diff readable. */
  readonly subnet: string;
}
export type VmLockSection = Record<string, Record<string, VmLockEntry>>;
export const VM_LOCK_SECTION = "vmNetwork";

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export interface VmNetworkResolution {
  readonly ir: VmNetworkIR;
  /** This host's entries of the lock section, after this compile. */
  readonly lock: Record<string, VmLockEntry>;
  readonly diagnostics: Diagnostic[];
}

/** A subnet the host is attached to or routes, which a VM subnet must not overlap. */
interface TakenSubnet {
  readonly net: string;
  readonly owner: string;
  readonly path: Path;
}

export function resolveVmNetwork(
  topo: TopologyParsed,
  hostName: string,
  host: HostParsed,
  locked: Readonly<Record<string, unknown>> | undefined,
  origin: (p: Path) => Origin,
): VmNetworkResolution {
  const input = host.vmNetwork!;
  const base: Path = ["hosts", hostName, "vmNetwork"];
  const diagnostics: Diagnostic[] = [];
  const pool = vmPool(networkOf(input.pool), input.prefixLength);
  const others = hostSubnets(topo, hostName, host);
  // Parsed once: every VM's allocation checks its subnet against each of them.
  const taken = others.map((o) => ({ o, range: parseCidr(o.net) }));
  const clashOf = (n: number) => {
    const c = parseCidr(pool.subnet(n));
    return taken.find(({ range: r }) => r.network < c.network + c.size && c.network < r.network + r.size)?.o;
  };
  const names = Object.keys(input.vms).sort();
  const vmPath = (vm: string): Path => [...base, "vms", vm];

  // The lock's entries, checked: a malformed entry is an error, never a silent renumbering.
  const lockOf = new Map<string, { index: number; mac: string }>();
  /** VMs already reported: not allocated again (the compile fails anyway). */
  const failed = new Set<string>();
  for (const vm of names) {
    const e = locked?.[vm];
    if (e === undefined) continue;
    const entry = e as Partial<VmLockEntry>;
    if (typeof entry !== "object" || entry === null || !Number.isInteger(entry.index) || typeof entry.mac !== "string" || !MAC_RE.test(entry.mac)) {
      diagnostics.push(
        error("TOPO3010", vmPath(vm), `topo.lock.json has a malformed allocation for VM \`${vm}\` of host \`${hostName}\``, {
          hint: "restore topo.lock.json from git, or delete this VM's entry to allocate it afresh",
        }),
      );
      failed.add(vm);
      continue;
    }
    lockOf.set(vm, { index: entry.index!, mac: entry.mac });
  }

  // 1. Pinned numbers (the rules made sure they are unique and inside the pool).
  const owner = new Map<number, string>();
  const index = new Map<string, number>();
  for (const vm of names) {
    const pin = input.vms[vm]!.index;
    if (pin === undefined) continue;
    owner.set(pin, vm);
    index.set(vm, pin);
  }
  // 2. Numbers kept in the lock.
  for (const vm of names) {
    const l = lockOf.get(vm);
    if (index.has(vm) || !l) continue;
    if (l.index < 1 || l.index > pool.capacity) {
      diagnostics.push(
        error("TOPO3010", vmPath(vm), `VM \`${vm}\` has number ${l.index} in topo.lock.json, which does not fit the pool ${pool.pool} with /${pool.prefixLength} subnets (1 to ${pool.capacity})`, {
          hint: "restore the pool and prefixLength it was allocated with, or delete the VM's lock entry to renumber it on purpose",
        }),
      );
      failed.add(vm);
      continue;
    }
    const holder = owner.get(l.index);
    if (holder !== undefined) {
      diagnostics.push(
        error("TOPO3010", [...vmPath(holder), "index"], `number ${l.index} is pinned for VM \`${holder}\`, but topo.lock.json gives it to VM \`${vm}\``, {
          hint: `pin another number for \`${holder}\`, or delete \`${vm}\`'s entry in topo.lock.json to renumber it on purpose`,
          related: [{ message: `VM \`${vm}\` holds it`, path: vmPath(vm) }],
        }),
      );
      failed.add(vm);
      continue;
    }
    owner.set(l.index, vm);
    index.set(vm, l.index);
  }
  // Pinned and locked subnets must not overlap anything else on the host.
  for (const [vm, n] of index) {
    const clash = clashOf(n);
    if (clash) {
      diagnostics.push(
        error("TOPO3003", input.vms[vm]!.index !== undefined ? [...vmPath(vm), "index"] : vmPath(vm), `subnet ${pool.subnet(n)} of VM \`${vm}\` overlaps ${networkOf(clash.net)} of ${clash.owner} on host \`${hostName}\``, {
          hint: "pin the VM to another number, or move the other subnet",
          related: [{ message: `${clash.owner} is declared here`, path: clash.path }],
        }),
      );
    }
  }
  // 3. New VMs, in name order: the lowest free number whose subnet overlaps nothing.
  let next = 1;
  for (const vm of names) {
    if (index.has(vm) || failed.has(vm)) continue;
    while (next <= pool.capacity && (owner.has(next) || clashOf(next) !== undefined)) next++;
    if (next > pool.capacity) {
      diagnostics.push(
        error("TOPO3010", vmPath(vm), `no free subnet left for VM \`${vm}\`: the pool ${pool.pool} holds ${pool.capacity} /${pool.prefixLength} VM subnets`, {
          hint: "enlarge `pool`, or lengthen `prefixLength`",
          related: [{ message: "the pool", path: [...base, "pool"] }],
        }),
      );
      continue;
    }
    owner.set(next, vm);
    index.set(vm, next);
  }

  // MACs: the lock's, else derived from the VM's logical path; unique on the host.
  const macs = new Map<string, string>();
  const usedMacs = new Set<string>();
  for (const vm of names) {
    const l = lockOf.get(vm);
    if (l && !usedMacs.has(l.mac)) {
      macs.set(vm, l.mac);
      usedMacs.add(l.mac);
    }
  }
  for (const vm of names) {
    if (macs.has(vm)) continue;
    let salt = 0;
    let mac = deriveMac(vmLogicalPath(hostName, vm), salt);
    while (usedMacs.has(mac)) mac = deriveMac(vmLogicalPath(hostName, vm), ++salt);
    macs.set(vm, mac);
    usedMacs.add(mac);
  }

  const vms: VmIR[] = [];
  const lock: Record<string, VmLockEntry> = {};
  for (const vm of names) {
    const n = index.get(vm);
    if (n === undefined) continue;
    const v = input.vms[vm]!;
    const mac = macs.get(vm)!;
    vms.push({
      name: vm,
      origin: origin(vmPath(vm)),
      ...(v.description ? { description: v.description } : {}),
      index: n,
      subnet: pool.subnet(n),
      hostAddress: pool.hostAddress(n),
      guestAddress: pool.guestAddress(n),
      gateway: addressOf(pool.hostAddress(n)),
      mac,
      bridge: vmBridgeName(hostName, vm),
      tap: vmTapName(hostName, vm),
      hypervisor: v.hypervisor,
      vcpu: v.vcpu,
      memory: v.memory,
    });
    lock[vm] = { index: n, mac, subnet: pool.subnet(n) };
  }

  const seen = new Set<string>();
  const exceptions: VmExceptionIR[] = [];
  (input.exceptions ?? []).forEach((e, i) => {
    const key = `${e.from}\u0000${e.to}\u0000${e.proto}\u0000${e.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    exceptions.push({ origin: origin([...base, "exceptions", i]), from: e.from, to: e.to, proto: e.proto, port: e.port, ...(e.comment ? { comment: e.comment } : {}) });
  });
  exceptions.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.proto, b.proto) || a.port - b.port);

  const ir: VmNetworkIR = {
    origin: origin(base),
    pool: pool.pool,
    prefixLength: pool.prefixLength,
    uplink: input.uplink ?? host.uplink.interface,
    ...(input.adminInterface ? { adminInterface: input.adminInterface } : {}),
    ...(input.metadata
      ? { metadata: { origin: origin([...base, "metadata"]), address: input.metadata.address, port: input.metadata.port } }
      : {}),
    dns: [...input.dns],
    sshPort: input.sshPort,
    hostServices: uniqueServices(input.hostServices ?? []),
    logDrops: input.logDrops,
    vms,
    exceptions,
  };
  return { ir, lock, diagnostics };
}

/** `02:` (locally administered, unicast) and five bytes of a hash of the VM's logical path. */
export function deriveMac(logicalPath: string, salt = 0): string {
  const h = createHash("sha256").update(salt === 0 ? logicalPath : `${logicalPath}#${salt}`).digest();
  return ["02", ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

function uniqueServices(list: readonly { proto: "tcp" | "udp"; port: number }[]) {
  const m = new Map(list.map((s) => [`${s.proto}/${s.port}`, { proto: s.proto, port: s.port }]));
  return [...m.values()].sort((a, b) => cmp(a.proto, b.proto) || a.port - b.port);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Subnets on the host a VM subnet must stay clear of: uplink, bridges, tunnels, VPN pools, meshes, routes. */
function hostSubnets(topo: TopologyParsed, hostName: string, host: HostParsed): TakenSubnet[] {
  const base: Path = ["hosts", hostName];
  const out: TakenSubnet[] = [];
  if (host.uplink.address) out.push({ net: host.uplink.address, owner: `uplink ${host.uplink.interface}`, path: [...base, "uplink", "address"] });
  for (const [name, br] of Object.entries(host.bridges ?? {})) {
    if (br.address) out.push({ net: br.address, owner: `bridge ${name}`, path: [...base, "bridges", name, "address"] });
  }
  for (const [name, t] of Object.entries(host.tunnels ?? {})) out.push({ net: t.address, owner: `tunnel ${name}`, path: [...base, "tunnels", name, "address"] });
  for (const [name, v] of Object.entries(host.vpnServers ?? {})) out.push({ net: v.pool, owner: `VPN server ${name}`, path: [...base, "vpnServers", name, "pool"] });
  for (const [name, m] of Object.entries(topo.meshes ?? {})) {
    if (m.members[hostName]) out.push({ net: m.subnet, owner: `mesh ${name}`, path: ["meshes", name, "subnet"] });
  }
  (host.routes ?? []).forEach((r, i) => {
    if (!r.destination.endsWith("/0")) out.push({ net: r.destination, owner: `route to ${r.destination}`, path: [...base, "routes", i, "destination"] });
  });
  return out;
}
