import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    hv: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      vmNetwork: { vms: { vm1: {} } },
    },
    spoke: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.11/24", gateway: "192.0.2.1" },
    },
  },
  meshes: {
    m: {
      interface: "wgm",
      listenPort: 51821,
      subnet: "10.100.0.0/24",
      shape: "full",
      members: {
        hv: { endpoint: "192.0.2.10:51821", publishes: ["10.1.0.0/16"], publicKey: "dtrdx4xgC6X3l0+dt7b0Fr9wrNVybW9jSqYz52sO3R8=", privateKeyFile: "/run/keys/hv.key" },
        spoke: { endpoint: "192.0.2.11:51821", publicKey: "/LBWZrBSkji0a0s0RVUARqg4cPCGQmOeRz2UTy58Gyw=", privateKeyFile: "/run/keys/spoke.key" },
      },
    },
  },
});
