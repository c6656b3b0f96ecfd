/**
 * What the parts of the op-dbus mapping share: why values are not imported, the tracker of used
 * and skipped state, the host being built, and the bridges it collects.
 */
import type { z } from "zod";
import type { TsValue } from "./print-ts.js";
import type { StatePath, Tracker } from "./report.js";

export const WHY = {
  lifecycle: "container lifecycle (template, autostart, running) belongs to Proxmox/LXC; topo owns the container's networking only",
  serviceConfig: "the container's own service configuration (keys, peers, proxy settings) stays inside the container; topo owns its networking only",
  runtime: "an op-dbus run-time feature (security/obfuscation flows, discovery, dynamic routing) that topo does not model; topo's flows are the ones declared here",
  netmaker: "Netmaker assigns the overlay subnet, port and keys at run time; topo declares a mesh between hosts with them: see the commented `meshes` entry",
  netmakerContainer: "network_type netmaker: the container joins the Netmaker mesh itself, at an address Netmaker assigns; topo meshes connect hosts, whose containers reach the mesh through the host's bridge (a member's `publishes`)",
  warp: "a WARP tunnel needs its endpoint, public key and address, which the state does not hold (wgcf generates them): see the commented `tunnels` entry",
  wgInContainer: "WireGuard runs inside this container (wg-quick adds its device to the bridge); topo models the WARP exit as a host tunnel attached to the bridge (hosts.<host>.tunnels)",
  autoProvision: "op-dbus provisions VPN clients at run time; topo declares them (vpnServers.<if>.clients) with their public keys",
  system: "systemd units and packages are NixOS's business (the generated modules enable what they need)",
  version: "the state file format version",
} as const;

export const valid = (schema: z.ZodType, v: unknown): boolean => schema.safeParse(v).success;

export interface BridgeDraft {
  name: string;
  path?: StatePath;
  flows: TsValue[];
  policies: Record<string, TsValue>;
  ports: Record<string, TsValue>;
  socketPorts: Map<string, { name: string; path: StatePath }>;
  fromState: boolean;
}

export interface MapContext {
  readonly t: Tracker;
  readonly hostName: string;
  /** `hosts.<host>`, for the report. */
  readonly hp: string;
  /** A path into the state, under its plugins. */
  readonly P: (...p: StatePath) => StatePath;
  /** The bridge of that name, made on first use. */
  readonly bridge: (name: string, path?: StatePath) => BridgeDraft;
}
