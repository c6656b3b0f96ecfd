// A chain of three container hops before the tunnel: entry -> middle -> relay -> warp0. The host
// delivers every hop's replies (none of them is NATed inside the chain), the middle one included.
import type { TopologyInput } from "topo";

export default {
  name: "policy-chain-three",
  hosts: {
    box: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      firewall: { allowedTCPPorts: [22] },
      bridges: { ovsbr0: { kind: "ovs", address: "10.0.0.1/24", flows: [{ priority: 10, actions: ["normal"] }] } },
      containers: {
        entry: { id: 100, bridge: "ovsbr0", address: "10.0.0.100/24", role: "privacy" },
        middle: { id: 101, bridge: "ovsbr0", address: "10.0.0.101/24", role: "privacy" },
        relay: { id: 102, bridge: "ovsbr0", address: "10.0.0.102/24", gateway: "10.0.0.1", role: "privacy" },
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
      chains: { onion: { bridge: "ovsbr0", hops: ["entry", "middle", "relay", "warp0"] } },
    },
  },
} satisfies TopologyInput;
