/**
 * The literal reader answers for the locator without loading TypeScript: wherever it answers, its
 * span must be TypeScript's, on every path of every fixture fleet and on tricky sources; where it
 * is unsure, the locator asks TypeScript. The fixture fleets read plainly (no TypeScript needed).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Path } from "../../src/diag/diagnostic.js";
import { loadTopology } from "../../src/load/load-topology.js";
import { createLocator, literalLocator, typescriptLocator } from "../../src/load/locate.js";
import { Unsure } from "../../src/load/literal-scan.js";
import { CASES, ROOT } from "../helpers/compile.js";

const ERRORS = join(ROOT, "tests", "errors");
const FLEETS = [
  join(ROOT, "topology.ts"),
  join(CASES, "basics", "topology.ts"),
  join(CASES, "lab-basics", "topology.ts"),
  join(CASES, "ovs", "features.ts"),
  ...readdirSync(ERRORS).filter((d) => !d.endsWith(".ts")).map((d) => join(ERRORS, d, "topology.ts")),
];

/** Every path into a value, and one that is not there under each object. */
function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
    out.push([...at, "not-there"]);
  }
  return out;
}

function agree(file: string, source: string, ps: Path[]): { asked: number; unsure: number } {
  let lit: ReturnType<typeof literalLocator> | undefined;
  try {
    lit = literalLocator(file, source);
  } catch (e) {
    if (!(e instanceof Unsure)) throw e;
  }
  const ts = typescriptLocator(file, source);
  const both = createLocator(file, source);
  let unsure = 0;
  for (const p of ps) {
    for (const how of ["locate", "exact"] as const) {
      const want = ts[how](p);
      assert.equal(both[how](p), want, `${file} ${how} ${JSON.stringify(p)}`);
      if (!lit) {
        unsure++;
        continue;
      }
      try {
        assert.equal(lit[how](p), want, `${file} ${how} ${JSON.stringify(p)}`);
      } catch (e) {
        if (!(e instanceof Unsure)) throw e;
        unsure++;
      }
    }
  }
  return { asked: ps.length * 2, unsure };
}

test("fixture fleets: the literal reader gives TypeScript's spans on every path, and is never unsure", async () => {
  let checked = 0;
  for (const file of FLEETS) {
    const source = readFileSync(file, "utf8");
    const loaded = await loadTopology(file);
    const ps = loaded.ok ? paths(loaded.loaded.value) : [[], ["hosts"], ["hosts", "x"]];
    const r = agree(file, source, ps);
    assert.is(r.unsure, 0, `${file}: unsure on ${r.unsure} of ${r.asked}`);
    checked += r.asked;
  }
  assert.ok(checked > 1000, `checked ${checked}`);
});

const TRICKY: Record<string, string> = {
  noSemicolons: `const base = { a: 1 }\nconst more = [base, { b: "x" }]\nexport default { base, more, c: more[0] }\n`,
  asAndSatisfies: `import type { T } from "topo";\nconst x = { k: { v: 1 } as const } satisfies T;\nexport default ({ x, y: (x) as unknown as Record<string, T>, z: 2 }) satisfies T;\n`,
  strings: `export default defineTopology({ "a-b": { 'c"d': 1, [\`e\`]: [1, 2, ...[3]], ["f"]: \`t\${1 + 2}u\` }, 1: 2, "\\u0061x": 3 });\n`,
  methodsAndSpreads: `const s = { p: 1 };\nexport default { get g() { return 1; }, m() { return { z: 1 }; }, ...s, p: 2, q: { ...s }, r: [/re,}/g, 1 / 2] };\n`,
  comments: `// c\nexport default { /* { */ a: 1, // }\n  b: [ /* ] */ 2 ], c: "}" };\n`,
  generics: `const x: Record<string, number> = { a: 1 };\nexport default { x, f: <T,>(v: T) => v, g: defineTopology<{ a: 1 }>({ a: 1 }) };\n`,
  typeAssertion: `export default <any>{ a: { b: 1 } };\n`,
  crlf: `export default {\r\n  a: {\r\n    b: 1,\r\n  },\r\n};\r\n`,
  holes: `export default { a: [1, , 3], b: [,] };\n`,
  exportEquals: `const a = { x: 1 };\nexport = a;\n`,
  defaultFunction: `export default function () { return { a: 1 }; }\n`,
  lineBreakBeforeAs: `export default { a: { b: 1 }\n  as any, c: 2 };\n`,
};
const TRICKY_PATHS: Path[] = [[], ["a"], ["a", "b"], ["a", 1], ["a", 2], ["a", "b", "c"], ["x"], ["x", "a"], ["x", "k", "v"], ["y"], ["z"], ["base", "a"], ["more", 1, "b"], ["c"], ["a-b", 'c"d'], ["a-b", "e", 1], ["a-b", "e", 3], ["a-b", "f"], ["1"], ["ax"], ["g"], ["m"], ["p"], ["q", "p"], ["r", 1], ["f"], ["b"], ["b", 0], ["g", "a"]];

for (const [name, source] of Object.entries(TRICKY)) {
  test(`tricky source (${name}): the locator gives TypeScript's spans`, () => {
    agree(`/t/${name}.ts`, source, TRICKY_PATHS);
  });
}

test("JSON: the literal reader gives TypeScript's spans", () => {
  const source = `{\n  "hosts": { "a": { "x": [1, 2, { "y": "z" }] } },\n  "n": null\n}\n`;
  const r = agree("/t/topology.json", source, [[], ["hosts"], ["hosts", "a", "x", 2, "y"], ["n"], ["nope"]]);
  assert.is(r.unsure, 0);
});

test.run();
