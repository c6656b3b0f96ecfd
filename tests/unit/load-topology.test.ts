/**
 * Loading topology.ts: from anywhere (`import "topo"` resolves to this package), with local
 * helper modules, read afresh when loaded again, and files only the ES module loader runs (top-level
 * await) still load.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadTopology } from "../../src/load/load-topology.js";

const dir = mkdtempSync(join(tmpdir(), "topo-load-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const value = async (file: string) => {
  const r = await loadTopology(file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.loaded.value as { name: string; hosts: Record<string, unknown> };
};

test("a topology outside the package imports topo and a local helper, and is read afresh", async () => {
  const file = join(dir, "topology.ts");
  writeFileSync(join(dir, "helper.ts"), `export const host = (n: number) => ({ system: "x86_64-linux" as const, stateVersion: "25.11", n });\n`);
  writeFileSync(file, `import { defineTopology } from "topo";\nimport { host } from "./helper";\nexport default defineTopology({ name: "one", hosts: { a: host(1) } } as any);\n`);
  assert.equal((await value(file)).name, "one");
  assert.equal((await value(file)).hosts.a, { system: "x86_64-linux", stateVersion: "25.11", n: 1 });
  writeFileSync(join(dir, "helper.ts"), `export const host = (n: number) => ({ n: n * 2 });\n`);
  writeFileSync(file, `import { defineTopology } from "topo";\nimport { host } from "./helper";\nexport default defineTopology({ name: "two", hosts: { a: host(2) } } as any);\n`);
  const again = await value(file);
  assert.equal(again.name, "two");
  assert.equal(again.hosts.a, { n: 4 });
});

test("a topology with top-level await (in an ES module package) loads through the ES module loader", async () => {
  mkdirSync(join(dir, "esm"));
  writeFileSync(join(dir, "esm", "package.json"), `{ "type": "module" }\n`);
  const file = join(dir, "esm", "await.ts");
  writeFileSync(file, `import { defineTopology } from "topo";\nconst name = await Promise.resolve("awaited");\nexport default defineTopology({ name, hosts: {} } as any);\n`);
  assert.equal((await value(file)).name, "awaited");
});

test("a throw while loading is located in the file", async () => {
  const file = join(dir, "throws.ts");
  writeFileSync(file, `import { defineTopology } from "topo";\nconst x: number = 1;\nthrow new Error("boom " + x);\nexport default defineTopology({ hosts: {} } as any);\n`);
  const r = await loadTopology(file);
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.match(r.diagnostics[0]!.message, /boom 1/);
  assert.is(r.diagnostics[0]!.span?.line, 3);
});

test.run();
