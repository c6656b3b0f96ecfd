import type { Origin } from "../ir/types.js";

/** The back-reference every generated block carries: `hosts.hv1.uplink (topology.ts:12)`. */
export function originComment(origin: Origin, source: string): string {
  return origin.line !== undefined ? `${origin.path} (${source}:${origin.line})` : origin.path;
}
