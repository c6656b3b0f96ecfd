/**
 * The fleet diagram: every host on the internet by its uplink, each mesh as a node its members
 * join (the hub by a thick line), client tunnels to their far ends, VPN servers with their clients,
 * and services that exit through another host's tunnel.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { Flowchart, label, nodeId } from "./mermaid.js";

export function uplinkText(h: HostIR): string {
  const u = h.uplink;
  return `${u.interface}: ${u.dhcp ? "DHCP" : (u.address ?? "no address")}`;
}

export function fleetDiagram(ir: TopologyIR): string {
  const g = new Flowchart("LR");
  const internet = nodeId("net", "internet");
  g.node(internet, label("internet"), "circle");
  for (const h of ir.hosts) {
    const pub = h.uplink.publicAddress && h.uplink.publicAddress !== h.uplink.address?.split("/")[0] ? `public ${h.uplink.publicAddress}` : undefined;
    const vms = h.vmNetwork?.vms.length ?? 0;
    const counts = [
      h.containers.length ? `${h.containers.length} container${h.containers.length === 1 ? "" : "s"}` : undefined,
      vms ? `${vms} VM${vms === 1 ? "" : "s"}` : undefined,
    ].filter(Boolean).join(", ");
    g.node(nodeId("host", h.name), label(h.name, h.system, uplinkText(h), pub, counts));
    g.edge(nodeId("host", h.name), internet, "line");
  }
  for (const m of ir.meshes) {
    const mid = nodeId("mesh", m.name);
    g.comment(`mesh ${m.name}`);
    g.node(mid, label(`mesh ${m.name}`, [m.interface, m.listenPort !== undefined ? `udp/${m.listenPort}` : undefined].filter(Boolean).join(" "), m.subnet, m.shape === "hub" && m.hub ? `hub ${m.hub}` : m.shape), "hexagon");
    for (const member of byHost(m.members)) {
      const text = label([member.address, member.endpoint ? `at ${member.endpoint}` : undefined, member.publishes.length ? `publishes ${member.publishes.join(" ")}` : undefined].filter(Boolean).join(", "));
      g.edge(nodeId("host", member.host), mid, m.hub === member.host ? "thick" : "line", text);
    }
  }
  for (const h of ir.hosts) {
    for (const t of byName(h.tunnels)) {
      const tid = nodeId("tunnel", h.name, t.name);
      g.comment(`tunnel ${h.name}.${t.name}`);
      g.node(tid, label(`${t.name} far end`, t.endpoint), "subroutine");
      g.edge(nodeId("host", h.name), tid, "arrow", label(`${t.name} ${t.address ?? ""}`.trim()));
    }
    for (const v of byName(h.vpnServers)) {
      const vid = nodeId("vpn", h.name, v.name);
      g.comment(`VPN server ${h.name}.${v.name}`);
      g.node(vid, label(`${v.name} clients`, byName(v.clients).map((c) => c.name).join(", ") || "none yet", v.pool), "stadium");
      g.edge(vid, nodeId("host", h.name), "arrow", label(v.listenPort !== undefined ? `udp/${v.listenPort}` : v.name));
    }
  }
  for (const h of ir.hosts) {
    for (const s of h.services) {
      if (!s.exitVia) continue;
      const [viaHost, viaTunnel] = s.exitVia.split(".");
      if (!viaHost || !viaTunnel) continue;
      g.edge(nodeId("host", h.name), nodeId("tunnel", viaHost, viaTunnel), "dotted", label(`${s.name} ${s.proto}/${s.port} exits via ${s.exitVia}`));
    }
  }
  return g.toString();
}

/** Diagrams list things by name, whatever order the IR keeps them in. */
export const byName = <T extends { readonly name: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
export const byHost = <T extends { readonly host: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
