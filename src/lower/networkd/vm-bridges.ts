import type { HostIR, TopologyIR } from "../../ir/types.js";
import { commented } from "../../render/nix.js";
import { originComment } from "../../ir/origin.js";
import { emptyParts, PREFIX, type NetworkdParts, type Unit } from "./units.js";

/**
 * VM networks: per VM a bridge netdev, the bridge's network (the VM's gateway address), and a
 * network enslaving the VM's TAP. microvm.nix creates the TAP when the VM starts and attaches it
 * to nothing; this unit is what puts it on the bridge.
 */
export function lowerVmBridges(ir: TopologyIR, host: HostIR): NetworkdParts {
  const net = host.vmNetwork;
  if (!net) return emptyParts;
  const netdevs: Unit[] = [];
  const networks: Unit[] = [];
  for (const vm of net.vms) {
    const why = originComment(vm.origin, ir.source);
    netdevs.push({
      name: `${PREFIX.vmBridge}-${vm.bridge}`,
      value: commented(why, { netdevConfig: { Kind: "bridge", Name: vm.bridge, Description: `VM ${vm.name}` }, bridgeConfig: { STP: false } }),
    });
    networks.push({
      name: `${PREFIX.vmBridge}-${vm.bridge}`,
      matches: [vm.bridge],
      value: commented(why, {
        matchConfig: { Name: vm.bridge },
        address: [vm.hostAddress],
        // The TAP exists only while the VM runs: keep the gateway address without carrier, and
        // never make boot wait for it.
        networkConfig: { ConfigureWithoutCarrier: true },
        linkConfig: { RequiredForOnline: "no" },
      }),
    });
    networks.push({
      name: `${PREFIX.vmTap}-${vm.tap}`,
      matches: [vm.tap],
      value: commented(why, {
        matchConfig: { Name: vm.tap },
        networkConfig: { Bridge: vm.bridge },
        linkConfig: { RequiredForOnline: "enslaved" },
      }),
    });
  }
  return { netdevs, networks };
}
