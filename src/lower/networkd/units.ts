/**
 * Shapes of systemd.network units as NixOS takes them (flat list shapes since 24.11), and the
 * file-name prefixes that order them. networkd uses the first .network file (in lexical order)
 * whose [Match] fits a link, so topo's prefixes stay below NixOS's own 40-* and 99-* files.
 */
import type { NixValue } from "../../render/nix.js";

export const PREFIX = {
  uplink: "10",
  bridge: "20",
  bridgePorts: "21",
  wireguard: "30",
  tunnel: "31",
  vmBridge: "25",
  vmTap: "26",
  routesOnly: "60",
} as const;

/** A unit: its attribute name in systemd.network.{netdevs,networks} and its value. */
export interface Unit {
  readonly name: string;
  readonly value: NixValue;
  /** Interfaces a .network unit configures (its [Match] Name), so routes find their unit. */
  readonly matches?: readonly string[];
}

export interface NetworkdParts {
  readonly netdevs: readonly Unit[];
  readonly networks: readonly Unit[];
}

export const emptyParts: NetworkdParts = { netdevs: [], networks: [] };
