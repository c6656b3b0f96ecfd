/**
 * The pipeline's arrows point down. Every module of src/ belongs to a layer (its folder, or the
 * file itself at the top of src/), and imports only its own layer or layers below it. Layers on
 * one rank are siblings and do not import each other. No exceptions: a new folder must be placed
 * here (and in the README's Layout) before it can be imported at all.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/compile.js";

const SRC = join(ROOT, "src");

/** Top to bottom. The README's Layout shows the same order. */
export const RANKS: readonly (readonly string[])[] = [
  ["cli", "index.ts"], // the bin's commands; the authoring API (imported by topology files only)
  ["verify"], // topo verify: the pipeline, then the lab through its index
  ["tools", "lab", "init"], // diff and import; the namespace lab; the scaffolder
  ["compile.ts"], // the driver: front end (load, lock, analyze) and back end (lower, plan)
  ["emit", "keys", "load"], // the ends that touch the world: write the tree, the secrets, read the topology
  ["lower"], // ir -> what render prints: one target per folder (networkd, nftables, ovs, microvm, fleet, graph)
  ["render"], // printers and templates, the views they print (its input types), the tree plan
  ["policy"], // the intent matrix, its contributors, expectations against it
  ["check"], // validate, rules, resolve -> ir
  ["ir"], // the resolved IR's types, the lock, origins
  ["model"], // the zod input model and its JSON Schema
  ["diag", "net"], // leaves: diagnostics; addresses, pools, keys' format
];

/** Layers whose insides are private: other layers import them through their index.ts. */
const THROUGH_INDEX = ["lab"];

const rankOf = new Map(RANKS.flatMap((layers, i) => layers.map((l) => [l, i] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const layerOf = (file: string) => relative(SRC, file).split("/")[0]!;

/** Every relative import of a module (static, type-only, re-exports and dynamic import()). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")));
}

test("every layer of src/ has a place in the order", () => {
  const layers = readdirSync(SRC).filter((e) => statSync(join(SRC, e)).isDirectory() || e.endsWith(".ts"));
  for (const l of layers) assert.ok(rankOf.has(l), `src/${l} is in no layer: place it in RANKS and in the README's Layout`);
});

test("imports point down the layers, and into the lab only through its index", () => {
  const wrong: string[] = [];
  let edges = 0;
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    for (const target of importsOf(file)) {
      if (!target.startsWith(SRC + "/")) continue;
      edges++;
      const to = layerOf(target);
      const where = `${relative(ROOT, file)} imports ${relative(ROOT, target)}`;
      if (to !== from && !(rankOf.get(to)! > rankOf.get(from)!)) wrong.push(`${where}: ${from} may not import ${to}`);
      if (to !== from && THROUGH_INDEX.includes(to) && relative(join(SRC, to), target) !== "index.ts") wrong.push(`${where}: import ${to}/index.ts instead`);
    }
  }
  assert.ok(edges > 300, `only ${edges} imports seen: the parser misses some`);
  assert.equal(wrong, []);
});

test("the parser sees every kind of import", () => {
  const probe = join(SRC, "cli", "probe.ts");
  const text = `import a from "./a.js";\nimport type { B } from "../b.js";\nexport { c } from "./c.js";\nexport * from "./d.js";\nconst e = await import("./e.js");\n`;
  const found = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  assert.equal(found.sort(), ["../b.js", "./a.js", "./c.js", "./d.js", "./e.js"]);
  assert.ok(probe.endsWith("probe.ts"));
});

test("the README's Layout names every folder of src/ and only those, in the layers' order", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const layout = /## Layout\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
  const named = [...layout.matchAll(/\bsrc\/([a-z]+)\//g)].map((m) => m[1]!);
  const folders = readdirSync(SRC).filter((e) => statSync(join(SRC, e)).isDirectory()).sort();
  assert.equal([...new Set(named)].sort(), folders);
  const order = [...new Set(named)].map((l) => rankOf.get(l)!);
  assert.equal(order, [...order].sort((a, b) => a - b), "the Layout lists the layers top to bottom");
});

test.run();
