// Every concept on one host: `hv` is a microVM hypervisor, the hub of a mesh, carries a published
// Linux bridge of containers and a published Open vSwitch bridge with a three-hop privacy chain
// into WARP, a management and a service container, a VPN server, and the exit of a spoke's
// service across the mesh. (mixed.ts without the Open vSwitch side.)
import type { TopologyInput } from "topo";

const key = (publicKey: string, host: string) => ({ publicKey, privateKeyFile: `/run/keys/${host}-wgm.key` });

export default {
  name: "policy-everything",
  hosts: {
    hv: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      firewall: { allowedTCPPorts: [22], allowedUDPPorts: [51821], trustedInterfaces: ["br-vm1"] },
      bridges: { br0: { kind: "linux", address: "10.50.0.1/24", ports: ["enp2s0"] }, ovsbr0: { kind: "ovs", address: "10.70.0.1/24" } },
      containers: {
        web: { id: 300, bridge: "br0", address: "10.50.0.30/24", gateway: "10.50.0.1", services: { http: { proto: "tcp", port: 80 } } },
        entry: { id: 100, bridge: "ovsbr0", address: "10.70.0.100/24", role: "privacy" },
        relay: { id: 101, bridge: "ovsbr0", address: "10.70.0.101/24", gateway: "10.70.0.1", role: "privacy" },
        mgmt: { id: 200, bridge: "ovsbr0", address: "10.70.0.200/24", gateway: "10.70.0.1", role: "management" },
        svc: { id: 104, bridge: "ovsbr0", address: "10.70.0.104/24", gateway: "10.70.0.1", services: { http: { proto: "tcp", port: 8080 } } },
      },
      tunnels: {
        warp0: { endpoint: "198.51.100.20:2408", publicKey: "4g/OOCzgpv7gm3oeuXK1rASmwFEY1Ho8LgQ8PeMFyxY=", address: "172.16.0.2/32", bridge: "ovsbr0", privateKeyFile: "/run/keys/warp0.key", usedBy: ["relay", "s2.socks"] },
      },
      chains: { onion: { bridge: "ovsbr0", hops: ["entry", "relay", "warp0"] } },
      vpnServers: { wg0: { listenPort: 51820, pool: "10.8.0.0/24", clients: { laptop: { publicKey: "TAVa0gVAJawqRS2aZSOPt5lYZhVkNi4GlnGQ24WXlQ4=" } }, privateKeyFile: "/run/keys/wg0.key" } },
      vmNetwork: {
        sshPort: 2222,
        hostServices: [{ proto: "udp", port: 53 }],
        vms: { vm1: {}, vm2: {} },
      },
    },
    s1: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.11/24", gateway: "192.0.2.1" },
      forwarding: { ipv4: true },
      firewall: { allowedTCPPorts: [22] },
      bridges: { br1: { kind: "linux", address: "10.60.0.1/24", ports: ["enp2s0"] } },
    },
    s2: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.12/24", gateway: "192.0.2.1" },
      firewall: { allowedTCPPorts: [22] },
      services: { socks: { proto: "tcp", port: 1080, exitVia: "hv.warp0" } },
    },
  },
  meshes: {
    m: {
      interface: "wgm",
      listenPort: 51821,
      subnet: "10.100.0.0/24",
      shape: "hub",
      hub: "hv",
      members: {
        hv: { address: "10.100.0.1", endpoint: "192.0.2.10:51821", publishes: ["br0", "ovsbr0"], ...key("dtrdx4xgC6X3l0+dt7b0Fr9wrNVybW9jSqYz52sO3R8=", "hv") },
        s1: { address: "10.100.0.11", endpoint: "192.0.2.11:51821", ...key("/LBWZrBSkji0a0s0RVUARqg4cPCGQmOeRz2UTy58Gyw=", "s1") },
        s2: { address: "10.100.0.12", behindNat: true, ...key("ztuNYl6m3mQ7VtvQ3KGju/49kEikUQ1LrrGW9hwK+14=", "s2") },
      },
    },
  },
  expectations: [
    { from: "external.wan", to: "hv", proto: "tcp", port: 2222, reach: false, comment: "sshPort is the VMs' SSH, not the host's" },
    { from: "s1", to: "hv.web", proto: "tcp", port: 80, reach: true, comment: "a published container over the mesh, on a VM host" },
  ],
} satisfies TopologyInput;
