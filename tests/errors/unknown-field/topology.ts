import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    alpha: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", adress: "192.0.2.10/24", gateway: "192.0.2.1" },
      firewall: { allowedTCPPorts: [22] },
      bridges: {
        br0: { kind: "linux", address: "10.10.0.1/24", ports: ["enp2s0"] },
        vmbr0: { kind: "ovs", address: "10.20.0.1/24", flows: [{ match: { inPort: "veth100" }, actions: ["normal"] }] },
      },
      containers: {
        web: { id: 100, bridge: "vmbr0", address: "10.20.0.100/24", gateway: "10.20.0.1" },
      },
      routes: [{ destination: "198.51.100.0/24", gateway: "192.0.2.254" }],
    },
  },
});
