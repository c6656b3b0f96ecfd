// A chain longer than two hops: container -> container -> tunnel (the privacy-client shape:
// gateway -> xray -> WARP), next to a management container and a service container.
import type { TopologyInput } from "topo";

export default {
  name: "policy-chain",
  hosts: {
    box: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      firewall: { allowedTCPPorts: [22], trustedInterfaces: ["ovsbr0"] },
      bridges: { ovsbr0: { kind: "ovs", address: "10.0.0.1/24", flows: [{ priority: 10, actions: ["normal"] }] } },
      containers: {
        entry: { id: 100, bridge: "ovsbr0", address: "10.0.0.100/24", role: "privacy" },
        relay: { id: 101, bridge: "ovsbr0", address: "10.0.0.101/24", gateway: "10.0.0.1", role: "privacy" },
        mgmt: { id: 200, bridge: "ovsbr0", address: "10.0.0.200/24", gateway: "10.0.0.1", role: "management" },
        web: { id: 104, bridge: "ovsbr0", address: "10.0.0.104/24", gateway: "10.0.0.1", services: { http: { proto: "tcp", port: 80 } } },
      },
      tunnels: {
        warp0: {
          endpoint: "198.51.100.20:2408",
          publicKey: "5FahZ7WvfqosT711PZ3uKM5c85Hz7i24vse0SncRdkw=",
          address: "172.16.0.2/32",
          bridge: "ovsbr0",
          privateKeyFile: "/run/keys/warp0.key",
          usedBy: ["relay"],
        },
      },
      chains: { onion: { bridge: "ovsbr0", hops: ["entry", "relay", "warp0"] } },
    },
  },
} satisfies TopologyInput;
