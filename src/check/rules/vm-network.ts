import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import { HYPERVISOR_INTERFACES } from "../../model/vm-network.js";
import type { TopologyParsed } from "../../model/topology.js";
import { contains, networkOf, parseCidr } from "../../net/ipv4.js";
import { vmPool } from "../../net/vm-pool.js";
import { hostEntries } from "../inventory.js";

/**
 * What a VM network may not say: subnets wider than the pool, a number pinned twice or outside the
 * pool, an exception from a VM to itself, the admin interface being the uplink (the internet would
 * reach every VM), the metadata address inside the VM pool, a hypervisor without TAP support.
 * Allocation conflicts with topo.lock.json are found while resolving (resolve-vm-network.ts).
 */
export function vmNetworkRules(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    const net = host.vmNetwork;
    if (!net) continue;
    const base: Path = ["hosts", hostName, "vmNetwork"];
    const poolCidr = networkOf(net.pool);
    const prefixLength = net.prefixLength;
    if (prefixLength < parseCidr(poolCidr).prefix) {
      out.push(
        error("TOPO3006", [...base, "prefixLength"], `VM subnets of /${prefixLength} do not fit the pool ${poolCidr}`, {
          hint: `use a prefixLength of at least ${parseCidr(poolCidr).prefix + 1}, or a wider pool`,
        }),
      );
    } else {
      const pool = vmPool(poolCidr, prefixLength);
      const pinned = new Map<number, Path>();
      for (const [vm, v] of Object.entries(net.vms).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (v.index === undefined) continue;
        const path = [...base, "vms", vm, "index"];
        if (v.index > pool.capacity) {
          out.push(error("TOPO3010", path, `VM number ${v.index} does not fit the pool ${pool.pool} with /${prefixLength} subnets (1 to ${pool.capacity})`, { hint: "pin a smaller number, or widen the pool" }));
          continue;
        }
        const first = pinned.get(v.index);
        if (first) out.push(error("TOPO3004", path, `VM number ${v.index} is pinned twice on host \`${hostName}\``, { hint: "give each VM its own number, or drop `index` to allocate one", related: [{ message: "first pinned here", path: first }] }));
        else pinned.set(v.index, path);
      }
      if (net.metadata && contains(pool.pool, net.metadata.address)) {
        out.push(error("TOPO3006", [...base, "metadata", "address"], `metadata address ${net.metadata.address} lies inside the VM pool ${pool.pool}`, { hint: "the metadata service is reached through the uplink; use its real address (169.254.169.254 on most clouds)" }));
      }
    }
    (net.exceptions ?? []).forEach((e, i) => {
      if (e.from === e.to) out.push(error("TOPO3006", [...base, "exceptions", i, "to"], `exception from VM \`${e.from}\` to itself: a VM's own traffic never crosses the hypervisor`, { hint: "name two different VMs" }));
    });
    const uplink = net.uplink ?? host.uplink.interface;
    if (net.adminInterface && net.adminInterface === uplink) {
      out.push(
        error("TOPO3006", [...base, "adminInterface"], `admin interface \`${net.adminInterface}\` is the uplink: everything on the internet would reach every VM`, {
          hint: "use the VPN interface administrators come in on (e.g. tailscale0)",
        }),
      );
    }
    for (const [vm, v] of Object.entries(net.vms)) {
      const hv = v.hypervisor;
      if (!(HYPERVISOR_INTERFACES[hv] as readonly string[]).includes("tap")) {
        out.push(error("TOPO4004", [...base, "vms", vm, "hypervisor"], `microvm.nix's ${hv} runner has no \`tap\` interfaces, which VM networks use`, { hint: "pick qemu, cloud-hypervisor or firecracker" }));
      }
    }
  }
  return out;
}
