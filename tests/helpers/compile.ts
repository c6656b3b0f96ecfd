/**
 * Compile a topology file in-process (no disk writes), the way `topo compile` does.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile, type CompileResult } from "../../src/compile.js";
import { loadTopology } from "../../src/load/load-topology.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CASES = join(ROOT, "tests", "cases");

export async function compileFile(file: string, outDir = dirname(resolve(file))): Promise<CompileResult> {
  const loaded = await loadTopology(file);
  if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics };
  // The lock beside the output tree, else the one committed beside the topology (public keys, allocations).
  const lockPath = [join(outDir, "topo.lock.json"), join(dirname(resolve(file)), "topo.lock.json")].find((p) => existsSync(p));
  const lockText = lockPath ? readFileSync(lockPath, "utf8") : undefined;
  return compile(loaded.loaded, { outDir, ...(lockText !== undefined ? { lockText } : {}) });
}

/** Compile and fail loudly when the topology has errors. */
export async function compileOk(file: string, outDir?: string) {
  const r = await compileFile(file, outDir);
  if (!r.ok) throw new Error(`expected ${file} to compile:\n${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")}`);
  return r.compiled;
}
