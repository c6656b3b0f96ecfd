/**
 * Authors get type errors in their editor: `defineTopology` is typed by the schema, so a typo or a
 * wrong value is a TypeScript error before topo ever runs. Checked with the real TypeScript
 * compiler against the built package, as an editor sees it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/compile.js";
import { run } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";

function typecheck(dir: string, source: string) {
  writeFileSync(join(dir, "topology.ts"), source);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, skipLibCheck: true, types: [] }, files: ["topology.ts"] }),
  );
  // The fleet repo has topo installed: link this package as node_modules/topo.
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  run("ln", ["-s", ROOT, join(dir, "node_modules", "topo")]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir]);
}

const GOOD = `import { defineTopology } from "topo";
export default defineTopology({
  hosts: { web: { system: "x86_64-linux", stateVersion: "25.11", uplink: { interface: "eth0", dhcp: true } } },
});
`;

test("a correct topology type-checks against the installed package", async () => {
  await withTmp((dir) => {
    const r = typecheck(dir, GOOD);
    assert.is(r.status, 0, r.stdout + r.stderr);
  });
});

test("a typo and a wrong value are type errors", async () => {
  await withTmp((dir) => {
    const r = typecheck(dir, GOOD.replace('system: "x86_64-linux"', 'sytem: "x86_64-linux"').replace('"25.11"', "25.11"));
    assert.is.not(r.status, 0);
    assert.match(r.stdout, /sytem/);
    assert.match(r.stdout, /number.*not assignable to type 'string'|Type 'number' is not assignable/);
  });
});

test.run();
