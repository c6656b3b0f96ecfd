import { z } from "zod";
import { IPv4, IfName, Text } from "./common.js";

export const Chain = z
  .object({
    description: Text.optional(),
    bridge: IfName.describe("The bridge the chain's hops are attached to."),
    hops: z
      .array(z.string())
      .min(2)
      .describe("Ordered hops: container names or attachment (port) names. Traffic from each hop is forced to the next."),
    failClosed: z.boolean().default(true).describe("Drop traffic when a hop is down instead of sending it elsewhere (default true)."),
    dns: IPv4.optional().describe("Where DNS of the chain's first hop must go (default: through the chain)."),
  })
  .strict()
  .describe("A privacy chain, e.g. wireguard-gateway -> warp0 -> xray.");
