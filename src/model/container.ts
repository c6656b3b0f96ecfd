import { z } from "zod";
import { IPv4, IPv4Cidr, Ident, IfName, Port, Proto, Text } from "./common.js";

export const ContainerService = z
  .object({ proto: Proto, port: Port, description: Text.optional() })
  .strict()
  .describe("A service the container exposes.");

export const Container = z
  .object({
    id: z.number().int().min(1).max(999999999).describe("Container id (the Proxmox/LXC vmid)."),
    description: Text.optional(),
    bridge: IfName.describe("Bridge of this host the container is attached to."),
    port: IfName.optional().describe("Name of its port on the bridge (default veth<id>)."),
    portType: z.enum(["veth", "internal"]).default("veth").describe("veth pair (default) or an OVS internal port."),
    ofport: z
      .number()
      .int()
      .min(1)
      .max(65279)
      .optional()
      .describe("OpenFlow port number of its port on an OVS bridge (default: the container id)."),
    address: IPv4Cidr.describe("The container's address with prefix length, e.g. 10.0.0.102/24."),
    gateway: IPv4.optional().describe("Its default gateway (usually the bridge address)."),
    services: z.record(Ident, ContainerService).optional().describe("Services it exposes, by name."),
    runtime: z
      .enum(["external", "nixos"])
      .default("external")
      .describe("external: created by Proxmox/LXC, topo owns its networking only (default). nixos: topo also emits a NixOS container."),
    role: z
      .enum(["privacy", "management", "service"])
      .optional()
      .describe(
        "Isolation on an OVS bridge. privacy: reaches only its tunnel (or chain), nothing on the bridge, not the host; management: reaches only the host (and what the host routes it to); service (default): normal switching.",
      ),
  })
  .strict()
  .describe("A container on one of the host's bridges.");
