import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { commented, nixKey, nixString, printNix } from "../../src/render/nix.js";
import { nixEvalJson, nixParse } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";

const HOSTILE = ['a"b', "x${builtins.abort \"pwned\"}", "two''quotes", "new\nline", "back\\slash", "dollar$", "${", "\\${x}", "tab\there", "é ünï"];

test("hostile strings survive the real Nix evaluator unchanged", async () => {
  await withTmp((dir) => {
    const value = Object.fromEntries(HOSTILE.map((s, i) => [s, { i, s, list: [s] }]));
    const f = join(dir, "m.nix");
    writeFileSync(f, printNix(value) + "\n");
    assert.is(nixParse(f).status, 0);
    assert.equal(nixEvalJson(f), value);
  });
});

test("keys that are not identifiers are quoted; keywords too", () => {
  assert.is(nixKey("matchConfig"), "matchConfig");
  assert.is(nixKey("10-enp1s0"), '"10-enp1s0"');
  assert.is(nixKey("if"), '"if"');
  assert.is(nixKey("a.b"), '"a.b"');
  assert.is(nixString("${x}"), '"\\${x}"');
});

test("attribute sets print sorted; single-key chains print dotted; comments stay", () => {
  const text = printNix({ b: 1, a: { only: { deep: true } }, c: commented("why (topology.ts:3)", [1, 2]) });
  assert.is(text, "{\n  a.only.deep = true;\n  b = 1;\n  # why (topology.ts:3)\n  c = [ 1 2 ];\n}");
});

test("a unit's matchConfig and netdevConfig come first, then the rest sorted", () => {
  const text = printNix({ address: ["10.0.0.1/24"], netdevConfig: { Kind: "bridge", Name: "br0" }, linkConfig: { RequiredForOnline: "no" }, matchConfig: { Name: "br0" } });
  assert.is(text, '{\n  matchConfig.Name = "br0";\n  netdevConfig = {\n    Kind = "bridge";\n    Name = "br0";\n  };\n  address = [ "10.0.0.1/24" ];\n  linkConfig.RequiredForOnline = "no";\n}');
});

test("a comment cannot break out of its line", () => {
  const text = printNix({ a: commented("x\ny = 1; #", 1) });
  assert.not.match(text, /\ny = 1;/);
});

test.run();
