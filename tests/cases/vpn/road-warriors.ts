// Road warriors on one host: two VPN servers, one masqueraded on the uplink (wg0, two clients),
// one routed as is (wg1, `nat: "none"`: the provider routes its pool back), beside a Linux bridge
// with a container and a LAN port. The clients' public keys are stand-ins (no private key kept).
import type { TopologyInput } from "topo";

export default {
  name: "vpn-road-warriors",
  hosts: {
    gw: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      firewall: { allowedTCPPorts: [22], allowedUDPPorts: [5353] },
      bridges: { br0: { kind: "linux", address: "10.50.0.1/24", ports: ["enp2s0"] } },
      containers: { web: { id: 300, bridge: "br0", address: "10.50.0.30/24", gateway: "10.50.0.1" } },
      vpnServers: {
        wg0: {
          listenPort: 51820,
          pool: "10.8.0.0/24",
          clients: { alice: { publicKey: "/ITqQRGr2rtzFeYxVlSwNRpjCR8dLrDXPlwNxnn6phI=" }, bob: { publicKey: "cD5WJjF8ntdy9hgfJcRbqKOyikHJSRyUw5Ef9TRRCzs=" } },
          privateKeyFile: "/run/keys/wg0.key",
        },
        wg1: {
          listenPort: 51830,
          pool: "10.9.0.0/24",
          nat: "none",
          clients: { carol: { publicKey: "tuhvnR2M7GNFUviFcxV9u52xZqhoIXCL3GJDnlQ6bR4=" } },
          privateKeyFile: "/run/keys/wg1.key",
        },
      },
    },
  },
} satisfies TopologyInput;
