import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    alpha: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      bridges: { vmbr0: { kind: "ovs", address: "10.20.0.1/24" } },
      containers: {
        admin: { id: 200, bridge: "vmbr0", address: "10.20.0.200/24", gateway: "10.20.0.1", role: "management" },
      },
      tunnels: {
        warp0: {
          endpoint: "198.51.100.20:2408",
          publicKey: "5FahZ7WvfqosT711PZ3uKM5c85Hz7i24vse0SncRdkw=",
          address: "172.16.0.2/32",
          privateKeyFile: "/run/keys/warp0.key",
          bridge: "vmbr0",
          usedBy: ["admin"],
        },
      },
    },
  },
});
