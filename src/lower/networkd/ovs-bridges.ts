import type { HostIR, OvsBridgeIR, TopologyIR } from "../../ir/types.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import { originComment } from "../origin.js";
import { routesVia } from "./uplink.js";
import { PREFIX, type NetworkdParts, type Unit } from "./units.js";

/**
 * Open vSwitch bridges: OVS creates the bridge's own interface (<bridge>-netdev.service runs
 * before networkd), networkd gives it its address and routes. No netdev: networkd must not
 * create a Linux bridge of the same name. Ports are OVS's, so no unit enslaves them.
 */
export function lowerOvsBridgeNetworks(ir: TopologyIR, host: HostIR): NetworkdParts {
  const networks: Unit[] = [];
  for (const br of host.bridges.filter((b): b is OvsBridgeIR => b.kind === "ovs")) {
    const routes = routesVia(host, br.name);
    const network: NixAttrs = {
      matchConfig: { Name: br.name },
      ...(br.address ? { address: [br.address] } : {}),
      ...(routes.length ? { routes } : {}),
      // Container ports come and go; the bridge's interface keeps its address regardless.
      networkConfig: { ConfigureWithoutCarrier: true },
      linkConfig: { RequiredForOnline: "no" },
    };
    networks.push({ name: `${PREFIX.bridge}-${br.name}`, value: commented(originComment(br.origin, ir.source), network), matches: [br.name] });
  }
  return { netdevs: [], networks };
}
