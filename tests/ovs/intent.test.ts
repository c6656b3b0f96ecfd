import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { compileOk, ROOT, CASES } from "../helpers/compile.js";
import { intentMatrix } from "../../src/policy/intent.js";

const cell = (m: ReturnType<typeof intentMatrix>, from: string, to: string, proto = "icmp", port?: number) =>
  m.cells.find((c) => c.from === from && c.to === to && c.proto === proto && c.port === port);

test("oo1424oo: privacy containers reach WARP only; management containers the host only", async () => {
  const { ir } = await compileOk(join(ROOT, "topology.ts"));
  const m = intentMatrix(ir);
  assert.ok(m.endpoints.some((e) => e.id === "external.oo1424oo.warp0"));
  for (const p of ["gateway", "xray"]) {
    assert.is(cell(m, `oo1424oo.${p}`, "external.oo1424oo.warp0")?.allowed, true);
    assert.is(cell(m, `oo1424oo.${p}`, "oo1424oo")?.allowed, false);
    for (const g of ["mcp-server", "op-dbus-api"]) {
      assert.is(cell(m, `oo1424oo.${p}`, `oo1424oo.${g}`)?.allowed, false);
      assert.is(cell(m, `oo1424oo.${g}`, `oo1424oo.${p}`)?.allowed, false);
    }
  }
  assert.is(cell(m, "oo1424oo.mcp-server", "oo1424oo.op-dbus-api", "tcp", 9574)?.allowed, false);
  for (const g of ["mcp-server", "op-dbus-api"]) {
    assert.is(cell(m, `oo1424oo.${g}`, "oo1424oo")?.allowed, true);
    assert.is(cell(m, `oo1424oo.${g}`, "external.oo1424oo.warp0")?.allowed, false);
  }
  // Two contributors state it (WireGuard: its usedBy; OVS: the chain) and agree.
  assert.match(cell(m, "oo1424oo.gateway", "external.oo1424oo.warp0")!.reason, /(chains\.privacy|tunnels\.warp0)/);
  // node2's containers have no role: the author's flows decide, nothing is claimed.
  assert.not.ok(m.cells.some((c) => c.from.startsWith("node2.")));
});

test("a chain's neighbours reach each other; nothing skips a hop", async () => {
  const { ir } = await compileOk(join(CASES, "ovs", "features.ts"), "/nonexistent-out");
  const m = intentMatrix(ir);
  assert.is(cell(m, "box.entry", "box.relay")?.allowed, true);
  assert.is(cell(m, "box.relay", "box.exit")?.allowed, true);
  assert.is(cell(m, "box.entry", "box.exit")?.allowed, false);
  assert.is(cell(m, "box.web", "box.relay", "icmp")?.allowed, false);
});

test.run();
