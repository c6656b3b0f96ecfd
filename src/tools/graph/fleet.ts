/**
 * The fleet diagram: every host on the internet by its uplink, each mesh as a node its members
 * join (the hub by a thick line), client tunnels to their far ends, VPN servers with their clients,
 * and services that exit through another host's tunnel.
 */
import type { FleetFacts, HostFacts } from "../facts.js";
import { Flowchart, label, nodeId } from "./mermaid.js";

export function uplinkText(h: HostFacts): string {
  const u = h.ir.uplink;
  return `${u.interface}: ${u.dhcp ? "DHCP" : (u.address ?? "no address")}`;
}

export function fleetDiagram(fleet: FleetFacts): string {
  const g = new Flowchart("LR");
  const internet = nodeId("net", "internet");
  g.node(internet, label("internet"), "circle");
  for (const h of fleet.hosts) {
    const pub = h.ir.uplink.publicAddress && h.ir.uplink.publicAddress !== h.ir.uplink.address?.split("/")[0] ? `public ${h.ir.uplink.publicAddress}` : undefined;
    const counts = [
      h.containers.length ? `${h.containers.length} container${h.containers.length === 1 ? "" : "s"}` : undefined,
      h.vms.length ? `${h.vms.length} VM${h.vms.length === 1 ? "" : "s"}` : undefined,
    ].filter(Boolean).join(", ");
    g.node(nodeId("host", h.name), label(h.name, h.ir.system, uplinkText(h), pub, counts));
    g.edge(nodeId("host", h.name), internet, "line");
  }
  for (const m of fleet.meshes) {
    const mid = nodeId("mesh", m.name);
    g.comment(`mesh ${m.name}`);
    g.node(mid, label(`mesh ${m.name}`, [m.interface, m.listenPort !== undefined ? `udp/${m.listenPort}` : undefined].filter(Boolean).join(" "), m.subnet, m.shape === "hub" && m.hub ? `hub ${m.hub}` : m.shape), "hexagon");
    for (const member of m.members) {
      const text = label([member.address, member.endpoint ? `at ${member.endpoint}` : undefined, member.publishes.length ? `publishes ${member.publishes.join(" ")}` : undefined].filter(Boolean).join(", "));
      g.edge(nodeId("host", member.host), mid, m.hub === member.host ? "thick" : "line", text);
    }
  }
  for (const h of fleet.hosts) {
    for (const t of h.tunnels) {
      const tid = nodeId("tunnel", h.name, t.name);
      g.comment(`tunnel ${h.name}.${t.name}`);
      g.node(tid, label(`${t.name} far end`, t.endpoint), "subroutine");
      g.edge(nodeId("host", h.name), tid, "arrow", label(`${t.name} ${t.address ?? ""}`.trim()));
    }
    for (const v of h.vpnServers) {
      const vid = nodeId("vpn", h.name, v.name);
      g.comment(`VPN server ${h.name}.${v.name}`);
      g.node(vid, label(`${v.name} clients`, v.clients.map((c) => c.name).join(", ") || "none yet", v.pool), "stadium");
      g.edge(vid, nodeId("host", h.name), "arrow", label(v.listenPort !== undefined ? `udp/${v.listenPort}` : v.name));
    }
  }
  for (const h of fleet.hosts) {
    for (const s of h.services) {
      if (!s.exitVia) continue;
      const [viaHost, viaTunnel] = s.exitVia.split(".");
      if (!viaHost || !viaTunnel) continue;
      g.edge(nodeId("host", h.name), nodeId("tunnel", viaHost, viaTunnel), "dotted", label(`${s.name} ${s.proto}/${s.port} exits via ${s.exitVia}`));
    }
  }
  return g.toString();
}
