/**
 * The world around the hosts, made of the run's own namespaces on documentation addresses:
 * - `switch`: address-less bridges, one per layer-2 segment (uplink subnets, bridge LANs);
 * - `wan`: the upstream router. It holds each uplink's gateway address on that uplink's segment,
 *   routes to the host only the Linux-bridge subnets and VPN pools it does not masquerade
 *   (`nat: "none"`: a provider routing the prefix), so a missing masquerade shows as an
 *   unanswered probe; forwards;
 * - `ext`: a machine on the internet behind the router: endpoint `external.wan`;
 * - `dhcp`: for DHCP uplinks, a DHCP server (a real systemd-networkd, DHCPServer=yes) on a lab
 *   block, handing out leases with the router as gateway.
 * Other components find a host's uplink segment in `ctx.shared.get(UPLINKS)`, the router's
 * namespace in `ctx.shared.get(ROUTER)`.
 */
import type { HostIR } from "../../ir/types.js";
import { addressOf, networkOf, parseCidr } from "../../net/ipv4.js";
import { lanBridges, WAN } from "../../policy/contributors/host-firewall.js";
import { routedPools } from "../../policy/contributors/vpn-server.js";
import type { LabComponent, LabContext, Segment } from "../context.js";
import type { Daemon } from "../runtime/run.js";
import { NETWORKD, startNetworkd, waitNetworkd } from "./networkd.js";

export const UPLINKS = "upstream.uplinks";
/** The upstream router's namespace (other components hang services of the provider behind it). */
export const ROUTER = "upstream.router";

/** Where a host's uplink plugs in. */
export interface UplinkSide {
  readonly segment: Segment;
  /** The segment's subnet ("203.0.113.0/24"). */
  readonly subnet: string;
  /** The router's address on it, when the host has a way out. */
  readonly gateway?: string;
}

const DHCP_POOL_OFFSET = 4;
const DHCP_POOL_SIZE = 10;

export const upstreamComponent: LabComponent = {
  name: "upstream",
  requires: (ir) => (ir.hosts.some((h) => h.uplink.dhcp) ? [{ program: NETWORKD, debian: "systemd", for: "the lab's DHCP server" }] : []),

  wire(ctx: LabContext) {
    const { run } = ctx;
    const wan = run.ns("wan");
    ctx.shared.set(ROUTER, wan);
    const ext = run.ns("ext");
    const inet = ctx.addresses.block("internet");
    run.veth({ ns: wan, name: "ext0" }, { ns: ext, name: "eth0" });
    run.ip(wan, ["addr", "add", inet.hostCidr(1), "dev", "ext0"]);
    run.ip(ext, ["addr", "add", inet.hostCidr(2), "dev", "eth0"]);
    run.ip(ext, ["route", "add", "default", "via", inet.host(1)]);
    run.exec(wan, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    ctx.endpoint({ id: WAN, ns: ext, address: () => inet.host(2) });
    ctx.note(`external.wan: ${ext} at ${inet.host(2)}, behind the router ${wan}`);

    const uplinks = new Map<string, UplinkSide>();
    const routerIf = new Map<string, string>();
    const routerAddrs = new Set<string>();
    const routerOn = (seg: Segment) => {
      let name = routerIf.get(seg.key);
      if (!name) {
        name = `u${routerIf.size}`;
        ctx.plug(seg, { ns: wan, name });
        routerIf.set(seg.key, name);
      }
      return name;
    };
    const staticHosts = ctx.hosts.filter((h) => !h.uplink.dhcp && h.uplink.address);
    for (const h of staticHosts) {
      const subnet = networkOf(h.uplink.address!);
      const seg = ctx.segment(`uplink:${subnet}`);
      const gw = h.uplink.gateway;
      if (gw) {
        const dev = routerOn(seg);
        const key = `${gw}/${parseCidr(subnet).prefix}`;
        if (!routerAddrs.has(key)) {
          run.ip(wan, ["addr", "add", key, "dev", dev]);
          routerAddrs.add(key);
        }
      }
      uplinks.set(h.name, { segment: seg, subnet, ...(gw ? { gateway: gw } : {}) });
    }

    const dhcpHosts = ctx.hosts.filter((h) => h.uplink.dhcp);
    if (dhcpHosts.length) {
      const block = ctx.addresses.block("dhcp");
      const seg = ctx.segment("uplink:dhcp");
      const dev = routerOn(seg);
      run.ip(wan, ["addr", "add", block.hostCidr(1), "dev", dev]);
      const dhcp = run.ns("dhcp");
      ctx.plug(seg, { ns: dhcp, name: "eth0" }, { up: false });
      const unit = [
        "[Match]",
        "Name=eth0",
        "",
        "[Network]",
        `Address=${block.hostCidr(2)}`,
        "DHCPServer=yes",
        "ConfigureWithoutCarrier=yes",
        "",
        "[DHCPServer]",
        `PoolOffset=${DHCP_POOL_OFFSET}`,
        `PoolSize=${DHCP_POOL_SIZE}`,
        `Router=${block.host(1)}`,
        "EmitDNS=no",
        "",
      ].join("\n");
      run.file("upstream/dhcp/10-eth0.network", unit);
      ctx.shared.set("upstream.dhcp", { ns: dhcp, unitDir: `${run.dir}/upstream/dhcp` });
      for (const h of dhcpHosts) uplinks.set(h.name, { segment: seg, subnet: block.cidr, gateway: block.host(1) });
      ctx.note(`DHCP server for ${dhcpHosts.map((h) => h.name).join(", ")}: ${dhcp} on ${block.cidr}`);
    }

    // The provider routes to the host the bridge subnets it sends un-NATed (`nat: "none"`); the
    // others the internet cannot answer unless the host masquerades them, as on the real one.
    const routed = new Set<string>();
    for (const h of staticHosts) {
      if (!h.uplink.gateway) continue;
      for (const b of lanBridges(h)) {
        if (!b.address || b.nat !== "none") continue;
        const subnet = networkOf(b.address);
        if (routed.has(subnet)) continue;
        routed.add(subnet);
        run.ip(wan, ["route", "add", subnet, "via", addressOf(h.uplink.address!)]);
      }
    }
    // Likewise the VPN pools a host sends un-NATed.
    for (const [pool, h] of routedPools(ctx.ir)) {
      if (!ctx.hosts.includes(h) || routed.has(pool)) continue;
      routed.add(pool);
      run.ip(wan, ["route", "add", pool, "via", addressOf(h.uplink.address!)]);
    }
    ctx.shared.set(UPLINKS, uplinks);
  },

  start(ctx: LabContext) {
    const d = ctx.shared.get("upstream.dhcp") as { ns: string; unitDir: string } | undefined;
    if (d) ctx.shared.set("upstream.dhcpd", startNetworkd(ctx.run, d.ns, d.unitDir, "dhcp-server"));
  },

  async settle(ctx: LabContext) {
    const d = ctx.shared.get("upstream.dhcpd") as Daemon | undefined;
    if (d) await waitNetworkd(ctx.run, d, [], 10_000);
  },
};

export function uplinkSide(ctx: LabContext, host: HostIR): UplinkSide | undefined {
  return (ctx.shared.get(UPLINKS) as Map<string, UplinkSide> | undefined)?.get(host.name);
}
