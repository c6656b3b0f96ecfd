/**
 * A host's diagram: its uplink, bridges with their attachments (container veths and internal
 * ports, tunnel devices, declared ports), the containers behind them, its VM network with the
 * isolation exceptions, VPN servers, mesh interfaces with the peers its WireGuard interface really
 * has (in a hub mesh a spoke's only peer is the hub), and its chains as numbered dotted hops.
 * Everything is read from the resolved IR, the same data the backends lower.
 */
import type { BridgeIR, HostIR, TopologyIR } from "../../ir/types.js";
import { byName, uplinkText } from "./fleet.js";
import { Flowchart, label, nodeId } from "./mermaid.js";

/** Ports declared on the bridge itself (Linux ports, OVS extra ports), and its flow count. */
function declared(b: BridgeIR): { ports: readonly string[]; flows: number } {
  if (b.kind === "linux") return { ports: b.ports, flows: 0 };
  return { ports: b.ovs.attachments.filter((a) => a.kind === "port").map((a) => a.name), flows: b.ovs.flows.length };
}

export function hostDiagram(ir: TopologyIR, h: HostIR): string {
  const g = new Flowchart("LR");
  const host = nodeId("host", h.name);
  const services = h.services.map((s) => `${s.name} ${s.proto}/${s.port}`).join(", ");
  g.node(host, label(h.name, h.description, services ? `services: ${services}` : undefined));
  const uplink = nodeId("uplink", h.uplink.interface);
  g.node(uplink, label(uplinkText(h), h.uplink.gateway ? `gateway ${h.uplink.gateway}` : undefined), "parallelogram");
  g.edge(host, uplink, "line");

  // Attachment name -> node id, per bridge, so containers, tunnels and chains can point at ports.
  const portNode = (bridge: string, port: string) => nodeId("port", bridge, port);
  for (const b of byName(h.bridges)) {
    const { ports: own, flows } = declared(b);
    const ports = new Set<string>(own);
    for (const c of h.containers) if (c.bridge === b.name) ports.add(c.port);
    for (const t of h.tunnels) if (t.bridge === b.name) ports.add(t.name);
    const bid = nodeId("bridge", b.name);
    g.subgraph(bid, label(`${b.name} (${b.kind})`, b.address, flows ? `${flows} flow${flows === 1 ? "" : "s"}` : undefined), () => {
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
  for (const t of byName(h.tunnels)) {
    const tid = nodeId("tunnel", t.name);
    const usedBy = t.users.map((u) => u.ref);
    g.node(tid, label(`${t.name} (WireGuard tunnel)`, t.address, t.endpoint ? `to ${t.endpoint}` : undefined, usedBy.length ? `used by ${usedBy.join(", ")}` : undefined), "subroutine");
    if (t.bridge) g.edge(tid, portNode(t.bridge, t.name), "line");
    else g.edge(host, tid, "line");
  }
  const vmNet = h.vmNetwork;
  if (vmNet?.vms.length) {
    const vnet = nodeId("vmnet", h.name);
    g.subgraph(vnet, label("VM network", vmNet.adminInterface ? `admin via ${vmNet.adminInterface}` : undefined), () => {
      for (const vm of vmNet.vms) {
        g.node(nodeId("vm", vm.name), label(vm.name, vm.guestAddress, `${vm.bridge} / ${vm.tap}`, `${vm.vcpu} vCPU, ${vm.memory} MiB, ${vm.hypervisor}`), "round");
      }
    }, "TB");
    g.edge(host, vnet, "line");
    for (const e of vmNet.exceptions) g.edge(nodeId("vm", e.from), nodeId("vm", e.to), "arrow", label(`${e.proto}/${e.port}`));
  }
  for (const v of byName(h.vpnServers)) {
    const vid = nodeId("vpn", v.name);
    g.node(vid, label(`${v.name} (VPN server)`, v.listenPort !== undefined ? `udp/${v.listenPort}` : undefined, v.pool, v.clients.length ? `clients: ${byName(v.clients).map((c) => c.name).join(", ")}` : undefined), "stadium");
    g.edge(vid, host, "line");
  }
  for (const m of ir.meshes) {
    const me = m.members.find((x) => x.host === h.name);
    if (!me) continue;
    const mid = nodeId("mesh", m.name);
    // The peers the host's interface is configured with: every member in a full mesh, the hub in a hub mesh.
    const wg = h.wireguard.find((w) => w.kind === "mesh" && w.owner === m.name);
    const peers = (wg?.peers ?? []).map((p) => p.name).sort();
    g.node(mid, label(`mesh ${m.name}`, m.interface, me.address, peers.length ? `peers: ${peers.join(", ")}` : undefined), "hexagon");
    g.edge(host, mid, m.hub === h.name ? "thick" : "line", me.publishes.length ? label(`publishes ${me.publishes.join(" ")}`) : undefined);
  }
  for (const ch of byName(h.chains)) {
    const at = (hop: string): string => {
      const c = h.containers.find((x) => x.name === hop);
      if (c) return nodeId("ct", c.name);
      if (h.tunnels.some((t) => t.name === hop)) return nodeId("tunnel", hop);
      return portNode(ch.bridge ?? "", hop);
    };
    g.comment(`chain ${ch.name}`);
    const hops = ch.hops.map((x) => x.name);
    hops.slice(1).forEach((hop, i) => g.edge(at(hops[i]!), at(hop), "dotted", label(`chain ${ch.name} ${i + 1}`)));
  }
  return g.toString();
}
