import type { HostIR, OvsBridgeIR, TopologyIR } from "../../ir/types.js";
import { originComment } from "../../ir/origin.js";
import { bridgeNetwork } from "./bridges.js";
import type { NetworkdParts, Unit } from "./units.js";

/**
 * Open vSwitch bridges: OVS creates the bridge's own interface (<bridge>-netdev.service runs
 * before networkd), networkd gives it its address and routes. No netdev: networkd must not
 * create a Linux bridge of the same name. Ports are OVS's, so no unit enslaves them.
 */
export function lowerOvsBridgeNetworks(ir: TopologyIR, host: HostIR): NetworkdParts {
  const networks: Unit[] = [];
  for (const br of host.bridges.filter((b): b is OvsBridgeIR => b.kind === "ovs")) {
    networks.push(bridgeNetwork(host, br, originComment(br.origin, ir.source)));
  }
  return { netdevs: [], networks };
}
