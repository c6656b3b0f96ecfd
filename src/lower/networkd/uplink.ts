import type { HostIR, TopologyIR } from "../../ir/types.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import { originComment } from "../../ir/origin.js";
import { PREFIX, type NetworkdParts } from "./units.js";

/** The uplink: static address, gateway and DNS, or DHCP; plus the static routes that leave by it. */
export function lowerUplink(ir: TopologyIR, host: HostIR): NetworkdParts {
  const u = host.uplink;
  const routes = routesVia(host, u.interface);
  const network: NixAttrs = {
    matchConfig: { Name: u.interface },
    ...(u.dhcp ? { networkConfig: { DHCP: "ipv4" } } : {}),
    ...(u.address ? { address: [u.address] } : {}),
    ...(u.dns.length ? { dns: [...u.dns] } : {}),
    routes: [...(u.gateway ? [{ Gateway: u.gateway }] : []), ...routes],
    linkConfig: { RequiredForOnline: "routable" },
  };
  if ((network.routes as unknown[]).length === 0) delete (network as Record<string, unknown>).routes;
  return {
    netdevs: [],
    networks: [{ name: `${PREFIX.uplink}-${u.interface}`, value: commented(originComment(u.origin, ir.source), network), matches: [u.interface] }],
  };
}

/** Static routes of the host that leave by one interface, in declaration order. */
export function routesVia(host: HostIR, iface: string): NixAttrs[] {
  return host.routes
    .filter((r) => r.interface === iface)
    .map((r) => ({
      Destination: r.destination,
      ...(r.gateway ? { Gateway: r.gateway } : {}),
      ...(r.metric !== undefined ? { Metric: r.metric } : {}),
    }));
}
