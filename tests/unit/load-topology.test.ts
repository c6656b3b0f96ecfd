/**
 * Loading topology.ts: from anywhere (`import "topo"` resolves to this package), with local
 * helper modules, read afresh when loaded again, and files only the ES module loader runs (top-level
 * await) still load.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compiledPath } from "../../src/load/compiled-cache.js";
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

test("a file that imports only topo is kept compiled, and loaded again from what was kept", async () => {
  const file = join(dir, "kept.ts");
  const source = `import { defineTopology } from "topo";\nconst name: string = "kept";\nexport default defineTopology({ name, hosts: {} } as any);\n`;
  writeFileSync(file, source);
  const kept = compiledPath(file, source);
  assert.ok(kept, "no usable cache directory");
  rmSync(kept!, { force: true });
  assert.is((await value(file)).name, "kept");
  assert.ok(existsSync(kept!), "the compiled file was not kept");
  // The next load runs what was kept (here altered, to see that it is what runs), not tsx.
  writeFileSync(kept!, readFileSync(kept!, "utf8").replace(`"kept"`, `"from the cache"`));
  assert.is((await value(file)).name, "from the cache");
  rmSync(kept!, { force: true });
});

test("a file with a local helper module is not kept (the helper would need compiling too)", async () => {
  const file = join(dir, "topology.ts");
  const source = readFileSync(file, "utf8");
  await value(file);
  assert.is(existsSync(compiledPath(file, source)!), false);
});

test("a kept file that throws is run again by tsx, and the error is located in the file", async () => {
  const file = join(dir, "throws-later.ts");
  const source = `import { defineTopology } from "topo";\nif (process.env.TOPO_TEST_THROW) {\n  throw new Error("thrown on the second run");\n}\nexport default defineTopology({ hosts: {} } as any);\n`;
  writeFileSync(file, source);
  await value(file);
  assert.ok(existsSync(compiledPath(file, source)!));
  process.env.TOPO_TEST_THROW = "1";
  try {
    const r = await loadTopology(file);
    assert.is(r.ok, false);
    if (r.ok) return;
    assert.match(r.diagnostics[0]!.message, /thrown on the second run/);
    assert.is(r.diagnostics[0]!.span?.line, 3);
  } finally {
    delete process.env.TOPO_TEST_THROW;
    rmSync(compiledPath(file, source)!, { force: true });
  }
});

test.run();
