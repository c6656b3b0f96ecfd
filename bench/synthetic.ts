/**
 * Synthetic fleets for the benchmarks: `vms` microVMs spread over hypervisors of 10 VMs each,
 * every host also carrying an OVS bridge with containers, all hosts in one WireGuard mesh (hub and
 * spokes; the hub publishes its bridge).
 */
import type { TopologyInput } from "../src/model/topology.js";

/** A distinct public key per host (beyond 255 hosts, the first four bytes tell them apart). */
function KEY(i: number): string {
  const key = Buffer.alloc(32, (i + 1) % 256);
  if (i + 1 > 255) key.writeUInt32BE((0x80000000 | (i + 1)) >>> 0, 0);
  return key.toString("base64");
}

export function syntheticFleet(vms: number, perHost = 10, containersPerHost = 4): TopologyInput {
  const hostCount = Math.max(1, Math.ceil(vms / perHost));
  const hosts: TopologyInput["hosts"] = {};
  const members: Record<string, { address: string; endpoint: string; publicKey: string; publishes: string[] }> = {};
  for (let h = 0; h < hostCount; h++) {
    const name = `hv${h + 1}`;
    const vmCount = Math.min(perHost, vms - h * perHost);
    const vmsOfHost: Record<string, { vcpu: number; memory: number }> = {};
    for (let v = 0; v < vmCount; v++) vmsOfHost[`vm${v + 1}`] = { vcpu: 1, memory: 512 };
    // 172.20.0.0/24 up to 172.30.255.0/24: one /24 per host, up to 2,816 hosts (172.31/16 is the mesh).
    const lan = `172.${20 + (h >> 8)}.${h & 255}`;
    const containers: Record<string, { id: number; bridge: string; address: string; gateway: string; services: Record<string, { proto: "tcp"; port: number }> }> = {};
    for (let c = 0; c < containersPerHost; c++) {
      containers[`c${100 + c}`] = { id: 100 + c, bridge: "vmbr0", address: `${lan}.${10 + c}/24`, gateway: `${lan}.1`, services: { http: { proto: "tcp", port: 8000 + c } } };
    }
    hosts[name] = {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: `203.0.113.${(h % 250) + 2}/24`, gateway: "203.0.113.1" },
      firewall: { allowedTCPPorts: [22, 443], allowedUDPPorts: [51821], trustedInterfaces: ["vmbr0", "wg-mesh"] },
      bridges: { vmbr0: { kind: "ovs", address: `${lan}.1/24`, flows: [{ priority: 10, actions: ["normal"] }] } },
      containers,
      vmNetwork: {
        pool: "10.0.0.0/8",
        prefixLength: 24,
        adminInterface: "tailscale0",
        metadata: { address: "169.254.169.254" },
        vms: vmsOfHost,
        exceptions: vmCount >= 2 ? [{ from: "vm1", to: "vm2", proto: "tcp", port: 5432 }] : [],
      },
    };
    members[name] = { address: `172.31.${Math.floor((h + 1) / 250)}.${((h + 1) % 250) + 1}`, endpoint: `203.0.113.${(h % 250) + 2}:51821`, publicKey: KEY(h), publishes: h === 0 ? ["vmbr0"] : [] };
  }
  return {
    name: `synthetic-${vms}`,
    hosts,
    // Hub and spokes, and only the hub publishes its bridge: a full mesh of N hosts is N(N-1) peers,
    // and N members each publishing a subnet are N(N-1) routes, by nature; either would hide how
    // the compiler itself scales (its output would grow quadratically).
    meshes: { mesh: { interface: "wg-mesh", listenPort: 51821, subnet: "172.31.0.0/16", shape: "hub", hub: "hv1", members } },
  };
}
