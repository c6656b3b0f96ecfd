import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    hv: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "eth0", dhcp: true },
      vmNetwork: {
        adminInterface: "eth0",
        vms: {
          web: { index: 3 },
          db: { index: 3 },
        },
      },
    },
  },
});
