/**
 * The hardware of each emulated host and what its basics are plugged into:
 * - its uplink NIC (named as in the topology) on the uplink's segment;
 * - each Linux bridge port as a NIC, unless a component that runs earlier already made it (a
 *   guest's TAP or veth): the first free port leads to the bridge's segment, where a LAN machine
 *   stands at a free address of the bridge subnet; further ports lead nowhere, so the lab never
 *   closes a layer-2 loop;
 * - for each verifiable static route, a far end on the route's segment: a router at the route's
 *   gateway holding the destination's first address.
 * The host's own addresses, bridges and routes come only from its generated units (networkd).
 */
import type { HostIR } from "../../ir/types.js";
import { addressOf, fromInt, networkOf, parseCidr } from "../../net/ipv4.js";
import { lanBridges, lanId, routeId, routeTarget, verifiableRoutes } from "../../policy/contributors/host-firewall.js";
import type { LabComponent, LabContext, Segment } from "../context.js";
import { hasLink } from "../guests.js";
import { addressesIn } from "../runtime/addresses.js";
import { uplinkSide } from "./upstream.js";

/** A free address for a LAN machine: the highest host address of the subnet not named anywhere in the topology. */
export function freeAddress(cidr: string, taken: ReadonlySet<string>): string {
  const c = parseCidr(cidr);
  for (let a = c.network + c.size - 2; a > c.network; a--) if (!taken.has(fromInt(a))) return fromInt(a);
  throw new Error(`internal: no free address in ${cidr}`);
}

export const hostBasicsComponent: LabComponent = {
  name: "host-basics",

  wire(ctx: LabContext) {
    const taken = new Set(addressesIn(ctx.ir).map((a) => addressOf(a)));
    for (const host of ctx.hosts) wireHost(ctx, host, taken);
  },
};

function wireHost(ctx: LabContext, host: HostIR, taken: Set<string>): void {
  const { run } = ctx;
  const ns = ctx.hostNs(host.name);
  const uplink = uplinkSide(ctx, host);
  const segmentOf = new Map<string, { seg: Segment; subnet: string }>();
  if (uplink) {
    ctx.plug(uplink.segment, { ns, name: host.uplink.interface }, { up: false });
    segmentOf.set(host.uplink.interface, { seg: uplink.segment, subnet: uplink.subnet });
  }
  const uplinkIf = host.uplink.interface;
  const staticAddress = host.uplink.address ? addressOf(host.uplink.address) : undefined;
  ctx.endpoint({
    id: host.name,
    ns,
    address: () => staticAddress ?? firstAddress(ctx, ns, uplinkIf),
  });

  for (const br of lanBridges(host)) {
    const seg = ctx.segment(`lan:${host.name}/${br.name}`);
    // Ports another component already made (a guest's TAP or veth) are that component's; the
    // first free port leads to the bridge's segment, the others lead nowhere (never a loop).
    const free = br.ports.filter((p) => !hasLink(ctx, ns, p));
    free.forEach((port, i) => (i === 0 ? ctx.plug(seg, { ns, name: port }, { up: false }) : ctx.dangling({ ns, name: port }, { up: false })));
    if (!br.address || free.length === 0) continue;
    const subnet = networkOf(br.address);
    segmentOf.set(br.name, { seg, subnet });
    const lanNs = run.ns(`l-${host.name}-${br.name}`);
    const addr = freeAddress(subnet, taken);
    taken.add(addr);
    ctx.plug(seg, { ns: lanNs, name: "eth0" });
    run.ip(lanNs, ["addr", "add", `${addr}/${parseCidr(subnet).prefix}`, "dev", "eth0"]);
    run.ip(lanNs, ["route", "add", "default", "via", addressOf(br.address)]);
    ctx.endpoint({ id: lanId(host.name, br.name), ns: lanNs, address: () => addr });
    ctx.note(`${lanId(host.name, br.name)}: ${lanNs} at ${addr}, behind port ${free[0]} of ${br.name}`);
  }

  verifiableRoutes(host).forEach((r, i) => {
    const side = segmentOf.get(r.interface);
    if (!side) return;
    const far = run.ns(`r-${host.name}-${i}`);
    const target = routeTarget(r.destination);
    ctx.plug(side.seg, { ns: far, name: "eth0" });
    const prefix = parseCidr(side.subnet).prefix;
    if (r.gateway) run.ip(far, ["addr", "add", `${r.gateway}/${prefix}`, "dev", "eth0"]);
    else run.ip(far, ["route", "add", side.subnet, "dev", "eth0"]);
    run.ip(far, ["addr", "add", `${target}/32`, "dev", "eth0"]);
    ctx.endpoint({ id: routeId(host.name, r.destination), ns: far, address: () => target });
    ctx.note(`${routeId(host.name, r.destination)}: ${far} at ${target}${r.gateway ? ` behind ${r.gateway}` : ""} on ${r.interface}'s segment`);
  });
}

/** The first global IPv4 address of an interface (a DHCP lease, known only once the lab has settled). */
function firstAddress(ctx: LabContext, ns: string, ifname: string): string | undefined {
  try {
    const j = JSON.parse(ctx.run.ip(ns, ["-j", "-4", "addr", "show", "dev", ifname])) as { addr_info?: { local: string; scope: string }[] }[];
    return j[0]?.addr_info?.find((a) => a.scope === "global")?.local;
  } catch {
    return undefined;
  }
}

