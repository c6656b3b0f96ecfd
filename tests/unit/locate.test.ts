/**
 * The locator maps a path into the topology value back to where it was written: later properties
 * win, a spread that may override stops it, a spread before an index stops it (positions shift).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLocator } from "../../src/load/locate.js";

const SOURCE = `const extra = { b: 9 };
const list = [1, 2];
export default defineTopology({
  hosts: {
    a: { x: 1 },
    b: { x: 2 },
    a: { x: 3 },
  },
  spreadAfter: { k: 1, ...extra },
  spreadBefore: { ...extra, k: 1 },
  arr: [10, 20, ...list, 30],
  list,
});
`;

const loc = createLocator("/t/topology.ts", SOURCE);
const at = (path: (string | number)[]) => {
  const s = loc.locate(path);
  return s && `${s.line}:${s.column}`;
};

test("the last property of a name is the one that counts", () => {
  assert.is(at(["hosts", "a", "x"]), "7:13");
  assert.is(at(["hosts", "b", "x"]), "6:13");
  assert.ok(loc.exact(["hosts", "a", "x"]));
});

test("a spread after a property may override it: stop at the literal", () => {
  assert.is(at(["spreadAfter", "k"]), "9:16");
  assert.is(loc.exact(["spreadAfter", "k"]), undefined);
  assert.is(at(["spreadBefore", "k"]), "10:32");
  assert.ok(loc.exact(["spreadBefore", "k"]));
});

test("array elements by index, up to the first spread", () => {
  assert.is(at(["arr", 1]), "11:13");
  assert.is(at(["arr", 2]), "11:8");
  assert.is(loc.exact(["arr", 3]), undefined);
  assert.is(at(["list", 1]), "2:18", "through a const of the same file");
  assert.is(loc.exact(["hosts", "c"]), undefined);
});

test.run();
