import type { TopologyParsed } from "../model/topology.js";

/**
 * The names a flow may use for ports of an OVS bridge: its declared ports, the ports of containers
 * attached to it, the tunnels attached to it, and the bridge's own internal port.
 */
export function bridgePortNames(topo: TopologyParsed, hostName: string, bridgeName: string): Set<string> {
  const host = topo.hosts[hostName]!;
  const br = host.bridges?.[bridgeName];
  const names = new Set<string>([bridgeName]);
  if (br?.kind === "ovs") for (const p of Object.keys(br.ports ?? {})) names.add(p);
  for (const c of Object.values(host.containers ?? {})) if (c.bridge === bridgeName) names.add(c.port ?? `veth${c.id}`);
  for (const [name, t] of Object.entries(host.tunnels ?? {})) if (t.bridge === bridgeName) names.add(name);
  return names;
}
