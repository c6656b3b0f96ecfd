import { test } from "uvu";
import * as assert from "uvu/assert";
import { printTableBody } from "../../src/render/nft.js";
import type { NftTable } from "../../src/render/views.js";
import { nftCheck } from "../helpers/tools.js";
import { compiledOk, hypervisor, vmNames } from "./fixture.js";

const ruleCount = (tables: readonly NftTable[]) => tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
const elementCount = (tables: readonly NftTable[]) => tables.reduce((n, t) => n + t.sets.reduce((m, s) => m + s.elements.length, 0), 0);

function tablesFor(n: number) {
  // One exception per 5 VMs, so exceptions grow with the fleet too.
  const names = vmNames(n);
  const exceptions = names.filter((_, i) => i % 5 === 0 && i + 1 < n).map((v, i) => ({ from: v, to: names[i * 5 + 1]!, proto: "tcp" as const, port: 5432 }));
  return compiledOk(hypervisor(names, { exceptions })).hosts[0]!.nftTables;
}

test("the isolation's rule count is the same for 5, 50 and 250 VMs; only set elements grow", () => {
  const [t5, t50, t250] = [5, 50, 250].map(tablesFor);
  assert.is(ruleCount(t50!), ruleCount(t5!));
  assert.is(ruleCount(t250!), ruleCount(t5!));
  assert.ok(ruleCount(t5!) < 40, `rules: ${ruleCount(t5!)}`);
  assert.ok(elementCount(t250!) > elementCount(t50!) && elementCount(t50!) > elementCount(t5!));
});

test("the 250-VM ruleset passes nft -c", async () => {
  for (const t of tablesFor(250)) {
    const r = await nftCheck(t, printTableBody(t));
    assert.is(r.status, 0, `${t.name}: ${r.stderr}`);
  }
});

test.run();
