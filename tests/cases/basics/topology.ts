import { defineTopology } from "topo";

// Host basics: static and DHCP uplinks, a Linux bridge with ports, static routes, firewall.
export default defineTopology({
  name: "basics",
  hosts: {
    edge: {
      description: "Edge router with a LAN bridge",
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1", dns: ["192.0.2.53", "198.51.100.53"] },
      forwarding: { ipv4: true },
      firewall: {
        allowedTCPPorts: [443, 22, 22],
        allowedUDPPorts: [53],
        allowedTCPPortRanges: [{ from: 60000, to: 60010 }],
        trustedInterfaces: ["br-lan"],
      },
      bridges: {
        "br-lan": { kind: "linux", address: "10.10.0.1/24", ports: ["enp3s0", "enp2s0"] },
      },
      routes: [
        { destination: "198.51.100.0/24", gateway: "192.0.2.254", metric: 100 },
        { destination: "10.20.0.0/24", gateway: "10.10.0.2", interface: "br-lan" },
      ],
    },
    client: {
      system: "aarch64-linux",
      stateVersion: "25.05",
      uplink: { interface: "eth0", dhcp: true },
      firewall: { allowedTCPPorts: [22], allowPing: false, logDrops: false },
    },
  },
});
