import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    hv: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "eth0", dhcp: true },
      vmNetwork: {
        vms: { web: {}, db: {} },
        exceptions: [
          { from: "web", to: "dbb", proto: "tcp", port: 5432 },
          { from: "db", to: "db", proto: "tcp", port: 22 },
        ],
      },
    },
  },
});
