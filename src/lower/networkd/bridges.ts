import type { HostIR, LinuxBridgeIR, TopologyIR } from "../../ir/types.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import { originComment } from "../../ir/origin.js";
import { routesVia } from "./uplink.js";
import { PREFIX, type NetworkdParts, type Unit } from "./units.js";

/** Linux bridges: a bridge netdev, its own network (address), and a network enslaving its ports. */
export function lowerLinuxBridges(ir: TopologyIR, host: HostIR): NetworkdParts {
  const netdevs: Unit[] = [];
  const networks: Unit[] = [];
  for (const br of host.bridges.filter((b): b is LinuxBridgeIR => b.kind === "linux")) {
    const why = originComment(br.origin, ir.source);
    netdevs.push({
      name: `${PREFIX.bridge}-${br.name}`,
      value: commented(why, {
        netdevConfig: { Kind: "bridge", Name: br.name, ...(br.description ? { Description: br.description } : {}) },
        bridgeConfig: { STP: br.stp },
      }),
    });
    networks.push(bridgeNetwork(host, br, why));
    if (br.ports.length) {
      networks.push({
        name: `${PREFIX.bridgePorts}-${br.name}-ports`,
        value: commented(`${br.origin.path}.ports`, {
          matchConfig: { Name: [...br.ports] },
          networkConfig: { Bridge: br.name },
          linkConfig: { RequiredForOnline: "enslaved" },
        }),
      });
    }
  }
  return { netdevs, networks };
}

/**
 * The bridge's own interface, Linux or Open vSwitch: its address and the routes that leave by it.
 * A bridge without active ports has no carrier; it is configured anyway so its address exists.
 */
export function bridgeNetwork(host: HostIR, br: { name: string; address?: string }, why: string): Unit {
  const routes = routesVia(host, br.name);
  const network: NixAttrs = {
    matchConfig: { Name: br.name },
    ...(br.address ? { address: [br.address] } : {}),
    ...(routes.length ? { routes } : {}),
    networkConfig: { ConfigureWithoutCarrier: true },
    linkConfig: { RequiredForOnline: "no" },
  };
  return { name: `${PREFIX.bridge}-${br.name}`, value: commented(why, network), matches: [br.name] };
}
