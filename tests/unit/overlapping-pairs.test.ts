/**
 * overlappingPairs (sorted intervals) finds exactly the pairs, in exactly the order, that a walk
 * over all pairs with `overlaps` finds: on nested, equal, disjoint and adjacent blocks.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromInt, overlappingPairs, overlaps } from "../../src/net/ipv4.js";

function allPairs(cidrs: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < cidrs.length; i++) for (let j = 0; j < i; j++) if (overlaps(cidrs[i]!, cidrs[j]!)) out.push([i, j]);
  return out;
}

test("hand-picked blocks: nesting, duplicates, host bits, adjacency, the default route", () => {
  const cidrs = ["10.0.0.0/24", "10.0.1.0/24", "10.0.0.5/32", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.128/25", "192.0.2.1/32", "0.0.0.0/0", "10.0.1.7/24"];
  assert.equal(overlappingPairs(cidrs), allPairs(cidrs));
  assert.equal(overlappingPairs(["10.0.0.0/25", "10.0.0.128/25"]), [], "adjacent blocks do not overlap");
  assert.equal(overlappingPairs(["10.0.0.0/24", "10.0.0.9/32"]), [[1, 0]]);
});

test("random blocks in a small space: the same pairs as all pairs", () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const cidrs = Array.from({ length: 1 + rand(40) }, () => `${fromInt(((10 << 24) >>> 0) + rand(1024))}/${22 + rand(11)}`);
    assert.equal(overlappingPairs(cidrs), allPairs(cidrs), cidrs.join(" "));
  }
});

test.run();
