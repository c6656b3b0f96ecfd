import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const LOCK_FILE = "topo.lock.json";

/**
 * The topo.lock.json of the generated tree (the output directory, by default the topology's own
 * directory): every command reads the allocations and public keys from this one place.
 */
export function readLockText(outDir: string): { lockText?: string } {
  const p = join(outDir, LOCK_FILE);
  return existsSync(p) ? { lockText: readFileSync(p, "utf8") } : {};
}
