/**
 * The host basics a lab can prove today: a static uplink, a Linux bridge with ports (trusted), open
 * ports and a port range, forwarding, a static route via a router on the bridge's segment and one
 * via a second router on the uplink; and a DHCP host whose bridge is not trusted and who refuses ping.
 */
import { defineTopology } from "topo";

export default defineTopology({
  name: "lab-basics",
  hosts: {
    edge: {
      system: "x86_64-linux",
      stateVersion: "25.05",
      uplink: { interface: "enp1s0", address: "203.0.113.30/24", gateway: "203.0.113.1", dns: ["192.0.2.53"] },
      forwarding: { ipv4: true },
      firewall: {
        allowedTCPPorts: [22, 443],
        allowedUDPPorts: [5353],
        allowedTCPPortRanges: [{ from: 8000, to: 8002 }],
        trustedInterfaces: ["br-lan"],
      },
      bridges: { "br-lan": { kind: "linux", address: "10.20.0.1/24", ports: ["eth1", "eth2"] } },
      routes: [
        { destination: "10.30.0.0/24", gateway: "10.20.0.254", interface: "br-lan" },
        { destination: "198.51.100.128/25", gateway: "203.0.113.254" },
      ],
    },
    office: {
      system: "x86_64-linux",
      stateVersion: "25.05",
      uplink: { interface: "eth0", dhcp: true },
      firewall: { allowedTCPPorts: [22], allowPing: false },
      bridges: { br0: { kind: "linux", address: "10.40.0.1/24", ports: ["lan0"] } },
    },
  },
  expectations: [
    { from: "external.wan", to: "edge", proto: "tcp", port: 443, reach: true },
    { from: "external.edge.br-lan", to: "edge", proto: "tcp", port: 9, reach: true, comment: "the bridge is trusted" },
    { from: "external.office.br0", to: "external.wan", proto: "icmp", reach: false, comment: "office does not forward" },
  ],
});
