/** Expectations that the policy contradicts (TOPO3007), one that names an unknown external endpoint (TOPO3001), and one the matrix does not judge. */
import { defineTopology } from "topo";

export default defineTopology({
  hosts: {
    web: {
      system: "x86_64-linux",
      stateVersion: "25.05",
      uplink: { interface: "eth0", address: "203.0.113.40/24", gateway: "203.0.113.1" },
      firewall: { allowedTCPPorts: [443], allowPing: false },
    },
  },
  expectations: [
    { from: "external.wan", to: "web", proto: "tcp", port: 443, reach: true },
    { from: "external.wan", to: "web", proto: "tcp", port: 9, reach: true },
    { from: "external.wan", to: "web", proto: "icmp", reach: true },
    { from: "external.wna", to: "web", proto: "tcp", port: 443, reach: true },
    { from: "web", to: "web", proto: "tcp", port: 8080, reach: false },
  ],
});
