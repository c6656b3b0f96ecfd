import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    alpha: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      bridges: {
        vmbr0: {
          kind: "ovs",
          address: "10.0.0.1/24",
          flows: [{ priority: 100, match: { inPort: "veth100", dst: "10.0.0.200/24" }, actions: ["drop"], comment: "the seed's block of gateway -> MCP" }],
        },
      },
      containers: {
        gateway: { id: 100, bridge: "vmbr0", address: "10.0.0.100/24", gateway: "10.0.0.1" },
        mcp: { id: 200, bridge: "vmbr0", address: "10.0.0.200/24", gateway: "10.0.0.1" },
      },
    },
  },
});
