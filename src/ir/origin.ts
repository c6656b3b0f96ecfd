import type { Origin } from "./types.js";

/**
 * The back-reference every generated block carries: its path in the topology,
 * `hosts.hv1.uplink`. Never a line number: a line added above would rewrite every file.
 * Diagnostics carry the line (file:line:col); generated files do not.
 */
export function originComment(origin: Origin, _source?: string): string {
  return origin.path;
}
