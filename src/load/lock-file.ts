import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The topo.lock.json next to the generated tree, so every command sees the allocations compile keeps. */
export function readLockText(outDir: string): { lockText?: string } {
  const p = join(outDir, "topo.lock.json");
  return existsSync(p) ? { lockText: readFileSync(p, "utf8") } : {};
}
