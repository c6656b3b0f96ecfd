/**
 * The lab's components, in the order each phase runs them. A new concept (microVM isolation
 * networks, WireGuard meshes, Open vSwitch) adds its component here with one line; components that
 * attach guests on Linux bridge ports go before host-basics (it stands in only for ports nobody made).
 */
import type { LabComponent } from "../context.js";
import { hostBasicsComponent } from "./host-basics.js";
import { networkdComponent } from "./networkd.js";
import { nftablesComponent } from "./nftables.js";
import { ovsComponent } from "./ovs.js";
import { sysctlComponent } from "./sysctl.js";
import { upstreamComponent } from "./upstream.js";
import { vmNetworkComponent } from "./vm-network.js";
import { vpnClientsComponent } from "./vpn-clients.js";
import { wireguardComponent } from "./wireguard.js";

export const COMPONENTS: LabComponent[] = [
  upstreamComponent,
  hostBasicsComponent,
  sysctlComponent,
  nftablesComponent,
  // Before networkd: wireguard-go must have made the devices networkd then configures.
  wireguardComponent,
  // After wireguard: the clients' keys are the ones its devices name for them.
  vpnClientsComponent,
  // Before networkd, as <bridge>-netdev.service is: networkd addresses the bridge OVS made.
  ovsComponent,
  networkdComponent,
  vmNetworkComponent,
];
