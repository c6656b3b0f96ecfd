/**
 * Same input, same bytes: twice in a row, and with every object's keys in another order.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../src/compile.js";
import { loadTopology } from "../../src/load/load-topology.js";
import { CASES, ROOT } from "../helpers/compile.js";

const FILES = [join(ROOT, "topology.ts"), join(CASES, "basics", "topology.ts")];

/** Reverse the key order of every object, deep; arrays keep their order (it can mean something). */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

async function planOf(file: string, mutate: (v: unknown) => unknown = (v) => v) {
  const l = await loadTopology(file);
  if (!l.ok) throw new Error("load failed");
  // The lock holds allocations and public keys: a compile reads it, as `topo compile` does.
  const lockPath = join(file, "..", "topo.lock.json");
  const lockText = existsSync(lockPath) ? readFileSync(lockPath, "utf8") : undefined;
  const r = compile({ ...l.loaded, value: mutate(l.loaded.value) }, { outDir: join(file, ".."), ...(lockText !== undefined ? { lockText } : {}) });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.compiled.plan;
}

for (const file of FILES) {
  const label = file.replace(ROOT + "/", "");
  test(`${label}: compiling twice gives identical bytes`, async () => {
    assert.equal([...(await planOf(file))], [...(await planOf(file))]);
  });

  test(`${label}: keys in another order give identical bytes`, async () => {
    const a = await planOf(file);
    const b = await planOf(file, reverseKeys);
    assert.equal([...b.keys()], [...a.keys()]);
    for (const [p, text] of a) assert.fixture(b.get(p)!, text, p);
  });

  test(`${label}: no timestamps or machine paths in the output`, async () => {
    for (const [p, text] of await planOf(file)) {
      assert.not.match(text, /\b20\d\d-\d\d-\d\dT/, `${p} has a timestamp`);
      assert.not.ok(text.includes(ROOT), `${p} names a machine path`);
      assert.not.ok(text.includes("\r"), `${p} has CR`);
      assert.ok(text.endsWith("\n"), `${p} ends with a newline`);
    }
  });
}

test("a rewritten source with its hosts in another order differs only in back-reference lines", async () => {
  const src = readFileSync(join(CASES, "basics", "topology.ts"), "utf8");
  // Move the `client` host above `edge` in the source text itself.
  const start = src.indexOf("    client: {");
  const end = src.indexOf("\n    },\n", start) + "\n    },\n".length;
  const client = src.slice(start, end);
  const reordered = src.slice(0, start) + src.slice(end);
  const at = reordered.indexOf("    edge: {");
  const moved = reordered.slice(0, at) + client + reordered.slice(at);
  assert.is.not(moved, src);
  const a = compile({ file: join(CASES, "basics", "topology.ts"), source: src, value: (await loadTopology(join(CASES, "basics", "topology.ts")) as any).loaded.value }, { outDir: join(CASES, "basics") });
  const b = compile({ file: join(CASES, "basics", "topology.ts"), source: moved, value: (await loadTopology(join(CASES, "basics", "topology.ts")) as any).loaded.value }, { outDir: join(CASES, "basics") });
  assert.ok(a.ok && b.ok);
  const strip = (s: string) => s.replace(/ \(topology\.ts:\d+\)/g, "");
  for (const [p, text] of (a as any).compiled.plan as Map<string, string>) {
    if (p === "topo.manifest.json") continue; // hashes of the files, which carry the lines
    assert.fixture(strip((b as any).compiled.plan.get(p)), strip(text), p);
  }
});

test.run();
