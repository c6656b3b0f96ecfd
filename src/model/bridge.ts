/**
 * Bridges: Linux bridges run by systemd-networkd, Open vSwitch bridges with typed OpenFlow.
 */
import { z } from "zod";
import { IPv4, IPv4Cidr, Ident, IfName, Port, Text } from "./common.js";

export const LinuxBridge = z
  .object({
    kind: z.literal("linux"),
    description: Text.optional(),
    address: IPv4Cidr.optional().describe("The bridge's own address, e.g. 10.0.0.1/24."),
    ports: z.array(IfName).optional().describe("Host interfaces enslaved to the bridge."),
    stp: z.boolean().optional().describe("Spanning tree (default off)."),
    nat: z
      .enum(["masquerade", "none"])
      .default("masquerade")
      .describe(
        "What the bridge's subnet looks like where it leaves by the uplink (when the host forwards): masquerade (default: the host's uplink address, for private subnets) or none (routed as is; the upstream routes the subnet back).",
      ),
  })
  .strict();

/**
 * An OpenFlow match. Prerequisites (`ip`, `tcp`...) are derived, so a flow cannot lack them: an
 * address implies `ip` (or `arp`'s sender/target address when the protocol is arp), a port needs
 * `tcp` or `udp` (said with `proto`; there is no way to guess which).
 */
export const FlowMatch = z
  .object({
    inPort: z.string().optional().describe("Name of the attachment the packet came in on."),
    proto: z.enum(["ip", "tcp", "udp", "icmp", "arp"]).optional().describe("Protocol; implied by the fields below when omitted."),
    src: z.union([IPv4Cidr, IPv4, Ident]).optional().describe("nw_src: source address, network, or a container name."),
    dst: z.union([IPv4Cidr, IPv4, Ident]).optional().describe("nw_dst: destination address, network, or a container name."),
    srcPort: Port.optional().describe("tp_src (needs tcp or udp)."),
    dstPort: Port.optional().describe("tp_dst (needs tcp or udp)."),
  })
  .strict();

/** Priorities from here up belong to topo's isolation and chain flows, which must win. */
export const RESERVED_PRIORITY = 60000;

const Priority = z
  .number()
  .int()
  .min(0)
  .max(RESERVED_PRIORITY - 1, { message: `priorities ${RESERVED_PRIORITY} and above are reserved for topo's isolation and chain flows` });

/** OpenFlow port numbers topo may request (OFPP_MAX is 0xff00; the rest are reserved ports). */
export const OfPort = z.number().int().min(1).max(65279).describe("OpenFlow port number requested for the port (ofport_request).");

export const FlowAction = z.union([
  z.enum(["normal", "drop", "local", "flood", "in_port"]),
  z.object({ output: z.string().describe("Attachment name to send the packet out of.") }).strict(),
  z.object({ resubmit: z.number().int().min(0).max(254) }).strict(),
  z.object({ goto: z.number().int().min(0).max(254) }).strict(),
  z
    .object({
      learn: z
        .object({
          table: z.number().int().min(0).max(254),
          hardTimeout: z.number().int().min(0).optional(),
          priority: Priority.optional(),
        })
        .strict(),
    })
    .strict()
    .describe("Learn the reverse path (destination MAC = this source MAC, out of this in_port)."),
]);

export const Flow = z
  .object({
    table: z.number().int().min(0).max(254).default(0).describe("Table (default 0)."),
    priority: Priority.default(100).describe("Priority (default 100; 60000 and above are topo's)."),
    cookie: z.number().int().min(0).optional().describe("Cookie marking the flow's class (the seeds use them)."),
    match: FlowMatch.optional(),
    actions: z.array(FlowAction).min(1),
    comment: Text.optional(),
  })
  .strict()
  .describe("A typed OpenFlow rule.");

export const FlowPolicy = z
  .object({
    selector: z.string().regex(/^(container|port):[A-Za-z0-9_-]+$/, { message: "a selector is container:<id or name> or port:<name>" }),
    table: z.number().int().min(0).max(254).default(10).describe("Table of the flows (default 10); table 0 sends the selected ports' traffic there."),
    priority: Priority.default(1000).describe("Priority (default 1000)."),
    cookie: z.number().int().min(0).optional(),
    match: FlowMatch.omit({ inPort: true }).optional().describe("Further match fields; in_port is the selected port."),
    actions: z.array(FlowAction).min(1),
  })
  .strict()
  .describe("Flows chosen by selector: every port the selector names gets this template.");

export const OvsPort = z
  .object({
    type: z.enum(["internal", "system"]).optional().describe("internal: an OVS internal port; system: an existing interface (veth, tunnel)."),
    vlan: z.number().int().min(0).max(4094).optional(),
    ofport: OfPort.optional(),
  })
  .strict();

export const OvsBridge = z
  .object({
    kind: z.literal("ovs"),
    description: Text.optional(),
    address: IPv4Cidr.optional().describe("Address of the bridge's internal interface."),
    nat: z
      .enum(["masquerade", "none"])
      .default("masquerade")
      .describe(
        "What the bridge's subnet looks like where it leaves by the uplink (when the host forwards): masquerade (default: the host's uplink address, for private subnets) or none (routed as is; the upstream routes the subnet back).",
      ),
    ports: z.record(IfName, OvsPort).optional().describe("Extra ports; container and tunnel ports are added from their attachments."),
    flows: z.array(Flow).optional(),
    flowPolicies: z.record(Ident, FlowPolicy).optional(),
    failMode: z.enum(["secure", "standalone"]).default("secure").describe("What the bridge does without flows (default secure)."),
  })
  .strict();

export const Bridge = z.discriminatedUnion("kind", [LinuxBridge, OvsBridge]).describe("A Linux or Open vSwitch bridge.");
