/**
 * A host's diagram: its uplink, bridges with their attachments (container veths and internal
 * ports, tunnel devices, declared ports), the containers behind them, its VM network with the
 * isolation exceptions, VPN servers, mesh interfaces, and its chains as numbered dotted hops.
 */
import type { FleetFacts, HostFacts } from "../facts.js";
import { uplinkText } from "./fleet.js";
import { Flowchart, label, nodeId } from "./mermaid.js";

export function hostDiagram(fleet: FleetFacts, h: HostFacts): string {
  const g = new Flowchart("LR");
  const host = nodeId("host", h.name);
  const services = h.services.map((s) => `${s.name} ${s.proto}/${s.port}`).join(", ");
  g.node(host, label(h.name, h.ir.description, services ? `services: ${services}` : undefined));
  const uplink = nodeId("uplink", h.ir.uplink.interface);
  g.node(uplink, label(uplinkText(h), h.ir.uplink.gateway ? `gateway ${h.ir.uplink.gateway}` : undefined), "parallelogram");
  g.edge(host, uplink, "line");

  // Attachment name -> node id, per bridge, so containers, tunnels and chains can point at ports.
  const portNode = (bridge: string, port: string) => nodeId("port", bridge, port);
  for (const b of h.bridges) {
    const ports = new Set<string>(b.ports);
    for (const c of h.containers) if (c.bridge === b.name) ports.add(c.port);
    for (const t of h.tunnels) if (t.bridge === b.name) ports.add(t.name);
    const bid = nodeId("bridge", b.name);
    g.subgraph(bid, label(`${b.name} (${b.kind})`, b.address, b.flows ? `${b.flows} flow${b.flows === 1 ? "" : "s"}` : undefined), () => {
      for (const p of [...ports].sort()) g.node(portNode(b.name, p), label(p), "round");
    }, "TB");
    g.edge(host, bid, "line");
  }
  for (const c of h.containers) {
    const cid = nodeId("ct", c.name);
    const svc = c.services.map((s) => `${s.name} ${s.proto}/${s.port}`).join(", ");
    g.node(cid, label(`${c.name} #${c.id}`, c.address, c.role ? `role ${c.role}` : undefined, svc || undefined), "stadium");
    g.edge(cid, portNode(c.bridge, c.port), "line", label(c.portType === "internal" ? "internal port" : "veth"));
  }
  for (const t of h.tunnels) {
    const tid = nodeId("tunnel", t.name);
    g.node(tid, label(`${t.name} (WireGuard tunnel)`, t.address, t.endpoint ? `to ${t.endpoint}` : undefined, t.usedBy.length ? `used by ${t.usedBy.join(", ")}` : undefined), "subroutine");
    if (t.bridge) g.edge(tid, portNode(t.bridge, t.name), "line");
    else g.edge(host, tid, "line");
  }
  if (h.vms.length) {
    const vnet = nodeId("vmnet", h.name);
    g.subgraph(vnet, label("VM network", h.vmAdminInterface ? `admin via ${h.vmAdminInterface}` : undefined), () => {
      for (const vm of h.vms) {
        g.node(nodeId("vm", vm.name), label(vm.name, vm.guestAddress, `${vm.bridge} / ${vm.tap}`, `${vm.vcpu} vCPU, ${vm.memory} MiB, ${vm.hypervisor}`), "round");
      }
    }, "TB");
    g.edge(host, vnet, "line");
    for (const e of h.vmExceptions) g.edge(nodeId("vm", e.from), nodeId("vm", e.to), "arrow", label(`${e.proto}/${e.port}`));
  }
  for (const v of h.vpnServers) {
    const vid = nodeId("vpn", v.name);
    g.node(vid, label(`${v.name} (VPN server)`, v.listenPort !== undefined ? `udp/${v.listenPort}` : undefined, v.pool, v.clients.length ? `clients: ${v.clients.map((c) => c.name).join(", ")}` : undefined), "stadium");
    g.edge(vid, host, "line");
  }
  for (const m of fleet.meshes) {
    const me = m.members.find((x) => x.host === h.name);
    if (!me) continue;
    const mid = nodeId("mesh", m.name);
    const peers = m.members.filter((x) => x.host !== h.name).map((x) => x.host);
    g.node(mid, label(`mesh ${m.name}`, m.interface, me.address, peers.length ? `peers: ${peers.join(", ")}` : undefined), "hexagon");
    g.edge(host, mid, m.hub === h.name ? "thick" : "line", me.publishes.length ? label(`publishes ${me.publishes.join(" ")}`) : undefined);
  }
  for (const ch of h.chains) {
    const at = (hop: string): string => {
      const c = h.containers.find((x) => x.name === hop);
      if (c) return nodeId("ct", c.name);
      if (h.tunnels.some((t) => t.name === hop)) return nodeId("tunnel", hop);
      return portNode(ch.bridge ?? "", hop);
    };
    g.comment(`chain ${ch.name}`);
    ch.hops.slice(1).forEach((hop, i) => g.edge(at(ch.hops[i]!), at(hop), "dotted", label(`chain ${ch.name} ${i + 1}`)));
  }
  return g.toString();
}
