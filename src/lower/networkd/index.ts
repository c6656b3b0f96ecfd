/**
 * lower/networkd: every systemd.network unit of a host, gathered from one function per concept.
 * Later concepts (VM bridges, WireGuard) add a function to PARTS.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import type { ModuleView } from "../../render/views.js";
import { lowerLinuxBridges } from "./bridges.js";
import { lowerOvsBridgeNetworks } from "./ovs-bridges.js";
import { lowerUplink, routesVia } from "./uplink.js";
import { lowerVmBridges } from "./vm-bridges.js";
import { PREFIX, type NetworkdParts, type Unit } from "./units.js";
import { lowerWireguard } from "./wireguard.js";

export type NetworkdLowering = (ir: TopologyIR, host: HostIR) => NetworkdParts;

export const PARTS: NetworkdLowering[] = [lowerUplink, lowerLinuxBridges, lowerWireguard, lowerVmBridges, lowerOvsBridgeNetworks];

export function lowerNetworkd(ir: TopologyIR, host: HostIR, parts: readonly NetworkdLowering[] = PARTS): ModuleView {
  const netdevs: Unit[] = [];
  const networks: Unit[] = [];
  for (const part of parts) {
    const p = part(ir, host);
    netdevs.push(...p.netdevs);
    networks.push(...p.networks);
  }
  networks.push(...routesWithoutUnit(host, networks));
  const toAttrs = (units: Unit[]): NixAttrs => {
    const out: Record<string, Unit["value"]> = {};
    for (const u of units) {
      if (u.name in out) throw new Error(`internal: two networkd units named ${u.name} on ${host.name}`);
      out[u.name] = u.value;
    }
    return out;
  };
  const value: NixAttrs = {
    // networkd owns every interface: no scripted networking, no implicit DHCP on en*/eth*.
    networking: { useNetworkd: true, useDHCP: false },
    systemd: {
      network: {
        enable: true,
        ...(netdevs.length ? { netdevs: toAttrs(netdevs) } : {}),
        networks: toAttrs(networks),
      },
    },
  };
  return { file: "network.nix", summary: "systemd-networkd links, bridges and routes.", value };
}

/**
 * A route must never be dropped silently: when no unit configures the interface it leaves by
 * (an interface another tool creates), a routes-only .network carries it.
 */
function routesWithoutUnit(host: HostIR, networks: readonly Unit[]): Unit[] {
  const covered = new Set(networks.flatMap((n) => n.matches ?? []));
  const orphans = [...new Set(host.routes.map((r) => r.interface))].filter((i) => !covered.has(i)).sort();
  return orphans.map((iface) => ({
    name: `${PREFIX.routesOnly}-${iface}-routes`,
    matches: [iface],
    value: commented(`${host.origin.path}.routes`, {
      matchConfig: { Name: iface },
      routes: routesVia(host, iface),
      linkConfig: { RequiredForOnline: "no" },
    }),
  }));
}
