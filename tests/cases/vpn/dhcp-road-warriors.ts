// Road warriors dialling a host whose uplink takes a DHCP lease (clients follow it by a dynamic
// name): one server masqueraded on the uplink (two clients), one routed as is (`nat: "none"`),
// which no provider can route back to a lease, so its client does not reach the internet. The
// clients' public keys are stand-ins (no private key kept).
import type { TopologyInput } from "topo";

export default {
  name: "vpn-dhcp-road-warriors",
  hosts: {
    home: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", dhcp: true },
      firewall: { allowedTCPPorts: [22] },
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
