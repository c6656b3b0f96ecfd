/**
 * WireGuard interfaces (mesh, client tunnels, VPN servers) as systemd-networkd units: a
 * `Kind=wireguard` netdev with the key by file and the listen port (its peers are applied apart, see
 * lower/wireguard-peers.ts), and a network with the addresses, routes and policy
 * rules resolve decided. networkd adds no routes for AllowedIPs by itself (no RouteTable=), so
 * every route is explicit here. The private key is only ever named by its runtime path.
 */
import type { HostIR, PolicyRuleIR, TopologyIR, WgInterfaceIR } from "../../ir/types.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import { originComment } from "../../ir/origin.js";
import { routesVia } from "./uplink.js";
import { PREFIX, type NetworkdParts, type Unit } from "./units.js";

export function lowerWireguard(ir: TopologyIR, host: HostIR): NetworkdParts {
  const netdevs: Unit[] = [];
  const networks: Unit[] = [];
  for (const wg of host.wireguard) {
    const unit = `${wg.kind === "tunnel" ? PREFIX.tunnel : PREFIX.wireguard}-${wg.name}`;
    const why = originComment(wg.origin, ir.source);
    netdevs.push({ name: unit, value: commented(why, wireguardNetdev(ir, wg)) });
    const routes = [...wg.routes.map((r) => ({ Destination: r.destination, ...(r.metric !== undefined ? { Metric: r.metric } : {}), ...(r.table !== undefined ? { Table: r.table } : {}) })), ...routesVia(host, wg.name)];
    const network: NixAttrs = {
      matchConfig: { Name: wg.name },
      address: [...wg.addresses],
      ...(routes.length ? { routes } : {}),
      ...(wg.policyRules.length ? { routingPolicyRules: wg.policyRules.map((r) => commented(originComment(r.origin, ir.source), policyRule(r))) } : {}),
      // A tunnel whose far end is down must not hold up boot (network-online.target).
      linkConfig: { RequiredForOnline: "no" },
    };
    networks.push({ name: unit, value: commented(why, network), matches: [wg.name] });
  }
  return { netdevs, networks };
}

function wireguardNetdev(ir: TopologyIR, wg: WgInterfaceIR): NixAttrs {
  return {
    netdevConfig: { Kind: "wireguard", Name: wg.name, Description: description(wg) },
    wireguardConfig: {
      // A path string, never a Nix path: nothing is copied into the world-readable store. The
      // file must be readable by systemd-network (sops-nix: owner = "systemd-network").
      // With a secrets tool, secrets.nix sets it to the secret's `.path` instead.
      ...(wg.secret ? {} : { PrivateKeyFile: wg.privateKeyFile }),
      ...(wg.listenPort !== undefined ? { ListenPort: wg.listenPort } : {}),
    },
    // No wireguardPeers: a changed .netdev restarts networkd on switch, which replaces every peer
    // of the interface; the peers are topo.wireguard.peers, applied one by one (wireguard-peers.ts).
  };
}

function description(wg: WgInterfaceIR): string {
  switch (wg.kind) {
    case "mesh":
      return `WireGuard mesh ${wg.owner}`;
    case "tunnel":
      return `WireGuard tunnel ${wg.owner}`;
    case "vpn":
      return `WireGuard VPN server ${wg.owner}`;
  }
}

function policyRule(r: PolicyRuleIR): NixAttrs {
  return {
    From: r.from,
    ...(r.incomingInterface ? { IncomingInterface: r.incomingInterface } : {}),
    Table: r.table,
    Priority: r.priority,
    ...(r.suppressPrefixLength !== undefined ? { SuppressPrefixLength: r.suppressPrefixLength } : {}),
    Family: "ipv4",
  };
}
