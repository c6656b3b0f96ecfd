/**
 * A NixOS machine of the fleet and what hangs off it. Each field is described, because the
 * descriptions are what authors read in their editor and what `topo schema` publishes.
 */
import { z } from "zod";
import { HostName, IPv4, IPv4Cidr, Ident, IfName, Port, PortRange, Proto, Text } from "./common.js";
import { Bridge } from "./bridge.js";
import { Container } from "./container.js";
import { VmNetwork } from "./vm-network.js";
import { SecretsBackend, Tunnel, VpnServer } from "./wireguard.js";
import { Chain } from "./chain.js";

export const System = z.enum(["x86_64-linux", "aarch64-linux"]).describe("Nix system of the host.");

export const StateVersion = z
  .string()
  .regex(/^[0-9]{2}\.[0-9]{2}$/, { message: "a state version looks like 25.05" })
  .describe("system.stateVersion of the host: the NixOS release it was first installed with.");

export const Uplink = z
  .object({
    interface: IfName.describe("The host's uplink interface (the physical NIC or the cloud VM's NIC)."),
    dhcp: z.boolean().optional().describe("Take the address by DHCP (IPv4). Mutually exclusive with `address`."),
    address: IPv4Cidr.optional().describe("Static address with prefix length, e.g. 203.0.113.10/24."),
    gateway: IPv4.optional().describe("Default gateway for a static uplink."),
    dns: z.array(IPv4).optional().describe("DNS servers, in order of preference."),
    publicAddress: IPv4.optional().describe(
      "The address peers reach this host at, when it differs from `address` (behind NAT or a cloud floating IP).",
    ),
  })
  .strict()
  .describe("The host's uplink: static or DHCP, configured through systemd-networkd.");

export const Route = z
  .object({
    destination: IPv4Cidr.describe("Destination network, e.g. 10.1.0.0/24."),
    gateway: IPv4.optional().describe("Next hop. Omit to route onto `interface` directly (point-to-point links, WireGuard)."),
    interface: IfName.optional().describe("Interface the route leaves by. Defaults to the uplink when only `gateway` is given."),
    metric: z.number().int().min(0).max(4294967295).optional().describe("Route metric (lower wins)."),
    comment: Text.optional(),
  })
  .strict()
  .describe("A static route.");

export const Firewall = z
  .object({
    allowedTCPPorts: z.array(Port).optional().describe("TCP ports open on every interface."),
    allowedUDPPorts: z.array(Port).optional().describe("UDP ports open on every interface."),
    allowedTCPPortRanges: z.array(PortRange).optional(),
    allowedUDPPortRanges: z.array(PortRange).optional(),
    trustedInterfaces: z.array(IfName).optional().describe("Interfaces whose traffic to the host is accepted wholesale."),
    allowPing: z.boolean().default(true).describe("Accept ICMP echo requests (default true)."),
    logDrops: z.boolean().default(true).describe("Log dropped input packets, rate-limited (default true)."),
  })
  .strict()
  .describe("The host's input firewall, compiled into topo's own nftables table.");

export const HostService = z
  .object({
    proto: Proto,
    port: Port,
    description: Text.optional(),
    exitVia: z
      .string()
      .optional()
      .describe("Send this service's outbound traffic through another host's tunnel over a mesh: '<host>.<tunnel>'."),
  })
  .strict()
  .describe("A service the host itself runs (its port is opened in the firewall).");

export const Profile = z
  .enum(["none", "privacy-client", "privacy-vps", "general"])
  .describe("The deployment profile the host was started from (informational; see `topo init`).");

export const Host = z
  .object({
    description: Text.optional(),
    system: System,
    stateVersion: StateVersion,
    profile: Profile.optional(),
    uplink: Uplink,
    forwarding: z
      .object({ ipv4: z.boolean().optional(), ipv6: z.boolean().optional() })
      .strict()
      .optional()
      .describe("Kernel forwarding. Turned on automatically where the host routes for others."),
    firewall: Firewall.prefault({}),
    routes: z.array(Route).optional(),
    bridges: z.record(IfName, Bridge).optional().describe("Linux and Open vSwitch bridges, by interface name."),
    containers: z.record(Ident, Container).optional().describe("Containers attached to this host's bridges, by name."),
    vmNetwork: VmNetwork.optional(),
    tunnels: z.record(IfName, Tunnel).optional().describe("WireGuard client tunnels (WARP-like), by interface name."),
    vpnServers: z.record(IfName, VpnServer).optional().describe("WireGuard VPN servers for road-warrior clients, by interface name."),
    secrets: SecretsBackend.optional().describe("How this host's WireGuard private keys reach it; overrides the fleet's `secrets`."),
    chains: z.record(Ident, Chain).optional().describe("Privacy chains: ordered hops traffic must follow."),
    services: z.record(Ident, HostService).optional().describe("Services the host itself runs, by name."),
  })
  .strict()
  .describe("A NixOS machine of the fleet.");

export const HostNameKey = HostName;
