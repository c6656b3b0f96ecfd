/**
 * lower: everything a host becomes. Each target contributes modules, nftables tables or flake
 * modules; later concepts register here.
 */
import type { HostIR, TopologyIR } from "../ir/types.js";
import { lowerMicrovms, MICROVM_HOST_MODULE } from "./microvm/guests.js";
import { lowerNetworkd } from "./networkd/index.js";
import { lowerFirewallModule, lowerNftables } from "./nftables/index.js";
import { lowerSystem } from "./system.js";
import { lowerWireguardPeers } from "./wireguard-peers.js";
import { lowerSecrets } from "./secrets.js";
import { lowerOvs } from "./ovs/vswitches.js";
import { lowerContainers } from "./ovs/containers.js";
import type { HostView } from "../render/views.js";

export function lowerHost(ir: TopologyIR, host: HostIR): HostView {
  const nftTables = lowerNftables(ir, host);
  const microvms = lowerMicrovms(ir, host);
  const ovs = lowerOvs(ir, host);
  const containers = lowerContainers(ir, host);
  const wgPeers = lowerWireguardPeers(ir, host);
  const secrets = lowerSecrets(ir, host);
  return {
    name: host.name,
    modules: [
      lowerSystem(ir, host),
      lowerNetworkd(ir, host),
      lowerFirewallModule(nftTables),
      ...(microvms ? [microvms] : []),
      ...(ovs.module ? [ovs.module] : []),
      ...(containers ? [containers] : []),
      ...(wgPeers.module ? [wgPeers.module] : []),
    ],
    nftTables,
    flakeModules: [...(microvms ? [MICROVM_HOST_MODULE] : []), ...secrets.flakeModules],
    files: [...ovs.files, ...wgPeers.files, ...secrets.files],
    imports: [...ovs.imports, ...wgPeers.imports, ...secrets.imports],
  };
}

export function lowerFleet(ir: TopologyIR): HostView[] {
  return ir.hosts.map((h) => lowerHost(ir, h));
}
