/**
 * The reference fleet: the four hosts of the seeds, declared once.
 * `npx topo compile topology.ts` turns it into the flake next to this file.
 *
 * Public addresses, endpoints and the far ends' keys are stand-ins from the documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24); the private ranges are the seeds' own.
 */
import { defineTopology } from "topo";

export default defineTopology({
  name: "reference-fleet",

  hosts: {
    // Proxmox-style host: one OVS socket bridge for every container, WARP on the bridge,
    // a WireGuard VPN server, and the nm-privacy mesh to the other hosts.
    oo1424oo: {
      description: "Proxmox-style NixOS host with the socket network bridge",
      system: "x86_64-linux",
      stateVersion: "25.05",
      profile: "privacy-client",
      uplink: { interface: "enp1s0", address: "203.0.113.10/24", gateway: "203.0.113.1", dns: ["192.0.2.53"] },
      forwarding: { ipv4: true },
      firewall: {
        allowedUDPPorts: [51820, 51821], // gateway VPN, mesh
        allowedTCPPorts: [22, 8006, 9573, 9574], // SSH, Proxmox, MCP, API
        trustedInterfaces: ["vmbr0", "nm-privacy"],
      },
      bridges: {
        vmbr0: {
          kind: "ovs",
          description: "Socket network bridge",
          address: "10.0.0.1/24",
          // Isolation comes from the containers' roles and the chains below (topo's own flows,
          // priorities 60000 and up); these are the author's flows for everything else.
          flows: [
            { priority: 100, match: { proto: "udp", dstPort: 51820 }, actions: [{ output: "veth100" }], comment: "VPN clients to the gateway container" },
            { priority: 10, actions: ["normal"], comment: "default: normal switching" },
          ],
        },
      },
      containers: {
        gateway: { id: 100, bridge: "vmbr0", address: "10.0.0.100/24", gateway: "10.0.0.1", role: "privacy" },
        xray: {
          id: 102,
          bridge: "vmbr0",
          address: "10.0.0.102/24",
          gateway: "10.0.0.1",
          role: "privacy",
          services: { "xray-vless": { proto: "tcp", port: 443 } },
        },
        "mcp-server": {
          id: 200,
          bridge: "vmbr0",
          address: "10.0.0.200/24",
          gateway: "10.0.0.1",
          role: "management",
          services: { mcp: { proto: "tcp", port: 9573 } },
        },
        "op-dbus-api": {
          id: 201,
          bridge: "vmbr0",
          address: "10.0.0.201/24",
          gateway: "10.0.0.1",
          role: "management",
          services: { api: { proto: "tcp", port: 9574 } },
        },
      },
      tunnels: {
        warp0: {
          description: "Cloudflare WARP exit",
          endpoint: "198.51.100.20:2408",
          publicKey: "5FahZ7WvfqosT711PZ3uKM5c85Hz7i24vse0SncRdkw=",
          address: "172.16.0.2/32",
          allowedIPs: ["0.0.0.0/0"],
          bridge: "vmbr0",
          usedBy: ["gateway", "xray", "netmaker-gateway.socks5"],
        },
      },
      vpnServers: {
        wg0: {
          description: "WireGuard VPN for road-warrior clients",
          listenPort: 51820,
          pool: "10.8.0.0/24",
          clients: { laptop: { publicKey: "GDZ7NFso1gWZgF4nM4RhdIB5jCGF4B3ivUkIZ9hCRH4=" } },
        },
      },
      chains: {
        privacy: { description: "gateway exits only through WARP", bridge: "vmbr0", hops: ["gateway", "warp0"] },
        "xray-exit": { description: "xray exits only through WARP", bridge: "vmbr0", hops: ["xray", "warp0"] },
      },
    },

    // Public mesh hub (a cloud droplet): Netmaker, and a SOCKS5 proxy that exits through the
    // mesh and oo1424oo's WARP tunnel.
    "netmaker-gateway": {
      description: "Public mesh hub",
      system: "x86_64-linux",
      stateVersion: "25.05",
      uplink: { interface: "eth0", address: "198.51.100.10/24", gateway: "198.51.100.1", dns: ["192.0.2.53"] },
      firewall: { allowedTCPPorts: [22] },
      services: {
        "netmaker-api": { proto: "tcp", port: 8081 },
        "netmaker-ui": { proto: "tcp", port: 8443 },
        socks5: { proto: "tcp", port: 1080, exitVia: "oo1424oo.warp0" },
      },
    },

    // Second Proxmox-style node with its own socket bridge.
    node2: {
      description: "Second Proxmox-style node",
      system: "x86_64-linux",
      stateVersion: "25.05",
      profile: "general",
      uplink: { interface: "enp1s0", address: "203.0.113.20/24", gateway: "203.0.113.1", dns: ["192.0.2.53"] },
      firewall: {
        allowedTCPPorts: [22],
        allowedUDPPorts: [51821],
        trustedInterfaces: ["vmbr0", "nm-privacy"],
      },
      bridges: {
        vmbr0: {
          kind: "ovs",
          description: "Socket network bridge",
          address: "10.1.0.1/24",
          flows: [
            { priority: 100, match: { proto: "tcp", dstPort: 6333 }, actions: [{ output: "veth103" }], comment: "vector-db traffic from the mesh" },
            { priority: 10, actions: ["normal"], comment: "local switching between containers" },
          ],
        },
      },
      containers: {
        "vector-db": { id: 103, bridge: "vmbr0", address: "10.1.0.103/24", gateway: "10.1.0.1", services: { qdrant: { proto: "tcp", port: 6333 } } },
        redis: { id: 104, bridge: "vmbr0", address: "10.1.0.104/24", gateway: "10.1.0.1", services: { redis: { proto: "tcp", port: 6379 } } },
        custom: { id: 105, bridge: "vmbr0", address: "10.1.0.105/24", gateway: "10.1.0.1", services: { http: { proto: "tcp", port: 8080 } } },
      },
    },

    // microVM hypervisor (a1.metal, aarch64): one bridge and TAP per VM, isolated by nftables.
    hv1: {
      description: "microVM hypervisor",
      system: "aarch64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enP2p4s0", dhcp: true },
      firewall: { allowedTCPPorts: [22], trustedInterfaces: ["tailscale0"] },
      vmNetwork: {
        pool: "10.0.0.0/8",
        prefixLength: 24,
        adminInterface: "tailscale0",
        metadata: { address: "169.254.169.254", port: 80 },
        dns: ["192.0.2.53"],
        hostServices: [{ proto: "udp", port: 53 }],
        vms: {
          vm1: { vcpu: 2, memory: 1024, hypervisor: "cloud-hypervisor" },
          vm2: { vcpu: 2, memory: 1024, hypervisor: "cloud-hypervisor" },
          vm3: { vcpu: 1, memory: 512, hypervisor: "cloud-hypervisor" },
          vm4: { vcpu: 1, memory: 512, hypervisor: "cloud-hypervisor" },
          vm5: { vcpu: 4, memory: 4096, hypervisor: "qemu" },
        },
        exceptions: [{ from: "vm1", to: "vm2", proto: "tcp", port: 5432, comment: "app to database" }],
      },
    },
  },

  meshes: {
    "nm-privacy": {
      description: "Netmaker-style overlay between the hosts",
      interface: "nm-privacy",
      listenPort: 51821,
      subnet: "10.100.0.0/24",
      shape: "hub",
      hub: "netmaker-gateway",
      routeMetric: 50,
      members: {
        "netmaker-gateway": { address: "10.100.0.1", endpoint: "198.51.100.10:51821" },
        oo1424oo: { address: "10.100.0.2", endpoint: "203.0.113.10:51821", publishes: ["vmbr0"] },
        node2: { address: "10.100.0.3", behindNat: true, publishes: ["vmbr0"] },
      },
    },
  },

  expectations: [
    { from: "oo1424oo.mcp-server", to: "node2.vector-db", proto: "tcp", port: 6333, reach: true, comment: "cross-node vector search" },
    { from: "node2.vector-db", to: "oo1424oo.mcp-server", proto: "icmp", reach: true, comment: "and back, through the mesh" },
    { from: "oo1424oo.xray", to: "external.oo1424oo.warp0", proto: "icmp", reach: true, comment: "xray exits through WARP" },
    { from: "oo1424oo.mcp-server", to: "external.oo1424oo.warp0", proto: "icmp", reach: false, comment: "management never uses WARP" },
    { from: "hv1.vm1", to: "hv1.vm2", proto: "tcp", port: 5432, reach: true },
    { from: "hv1.vm1", to: "hv1.vm2", proto: "tcp", port: 22, reach: false },
    { from: "hv1.vm2", to: "hv1.vm1", proto: "icmp", reach: false },
  ],
});
