/**
 * A topology written outside a project that has topo installed (a temp dir where `topo diff`
 * compiles an older revision, or where tests compile an imported op-dbus state) still says
 * `import { defineTopology } from "topo"`. linkTopo makes that import find the running topo:
 * `node_modules/topo` becomes a link to this package, and a directory without package.json gets
 * one with `"type": "module"` so the file loads as ES module, like the reference fleet.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The root of the running topo package (the directory of its package.json). */
export const TOPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function linkTopo(dir: string): void {
  const pkg = join(dir, "package.json");
  if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ private: true, type: "module" }, null, 2) + "\n");
  const link = join(dir, "node_modules", "topo");
  if (!existsSync(link)) {
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(TOPO_ROOT, link, "dir");
  }
  // A checkout of topo itself resolves `topo` to its own dist/ (a package's self-reference wins
  // over node_modules), which a checkout lacks: point that at the running build.
  const name = (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name;
  if (name === "topo" && !existsSync(join(dir, "dist"))) symlinkSync(join(TOPO_ROOT, "dist"), join(dir, "dist"), "dir");
}
