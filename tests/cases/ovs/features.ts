// Every OpenFlow feature topo prints, on one bridge: flows with prerequisites to derive, policies
// with tables, learn/resubmit/goto, a three-hop container chain with its own resolver, roles.
import type { TopologyInput } from "topo";

export default {
  name: "ovs-features",
  hosts: {
    box: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "eth0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      bridges: {
        ovsbr0: {
          kind: "ovs",
          address: "10.0.0.1/24",
          ports: { internal_9: { type: "internal" }, uplink2: { ofport: 900 } },
          flows: [
            { table: 0, priority: 300, cookie: 0xdead, match: { dst: "web" }, actions: [{ output: "veth104" }], comment: "address match: ip derived" },
            { priority: 290, match: { proto: "arp", dst: "10.0.0.104" }, actions: [{ output: "veth104" }] },
            { priority: 280, match: { proto: "tcp", src: "10.0.0.0/24", dstPort: 6333 }, actions: [{ output: "veth105" }], cookie: 0xcafe },
            { priority: 270, match: { proto: "udp", srcPort: 53 }, actions: [{ resubmit: 20 }, "normal"] },
            { priority: 260, match: { inPort: "internal_9" }, actions: [{ learn: { table: 30, hardTimeout: 300, priority: 110 } }, { goto: 30 }] },
            { priority: 250, match: { proto: "icmp" }, actions: ["flood"] },
            { priority: 240, match: { inPort: "uplink2" }, actions: ["in_port"] },
            { table: 20, priority: 10, actions: ["local"] },
            { table: 30, priority: 0, actions: ["normal"] },
            { priority: 10, actions: ["normal"] },
          ],
          flowPolicies: {
            "web-policy": { selector: "container:104", table: 10, priority: 1000, actions: ["normal"] },
            "db-tcp": { selector: "container:db", table: 10, priority: 900, match: { proto: "tcp", dstPort: 5432 }, actions: [{ output: "veth104" }], cookie: 0xbeef },
            "internal-port": { selector: "port:internal_9", priority: 500, actions: ["normal"] },
          },
        },
      },
      containers: {
        entry: { id: 100, bridge: "ovsbr0", address: "10.0.0.100/24", portType: "internal", port: "internal_100", role: "privacy" },
        relay: { id: 101, bridge: "ovsbr0", address: "10.0.0.101/24", role: "privacy", runtime: "nixos" },
        exit: { id: 102, bridge: "ovsbr0", address: "10.0.0.102/24", gateway: "10.0.0.1" },
        mgmt: { id: 200, bridge: "ovsbr0", address: "10.0.0.200/24", gateway: "10.0.0.1", role: "management" },
        lonely: { id: 201, bridge: "ovsbr0", address: "10.0.0.201/24", gateway: "10.0.0.1", role: "privacy" },
        web: { id: 104, bridge: "ovsbr0", address: "10.0.0.104/24", gateway: "10.0.0.1", runtime: "nixos", services: { http: { proto: "tcp", port: 80 } } },
        db: { id: 105, bridge: "ovsbr0", address: "10.0.0.105/24", gateway: "10.0.0.1", ofport: 7 },
      },
      chains: {
        onion: { bridge: "ovsbr0", hops: ["entry", "relay", "exit"], dns: "9.9.9.9" },
      },
    },
  },
} satisfies TopologyInput;
