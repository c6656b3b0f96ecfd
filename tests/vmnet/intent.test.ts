import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { intentMatrix } from "../../src/policy/intent.js";
import { vmNetworkIntent } from "../../src/policy/contributors/vm-network.js";
import { compileOk, ROOT } from "../helpers/compile.js";

test("hv1's intent: isolated VMs, the one exception on its port and direction, WAN out not in, admin SSH, metadata", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"), ROOT);
  const m = intentMatrix(c.ir, [vmNetworkIntent]);
  const cell = (from: string, to: string, proto: string, port?: number) => m.cells.find((x) => x.from === from && x.to === to && x.proto === proto && x.port === port)?.allowed;
  assert.is(cell("hv1.vm1", "hv1.vm2", "tcp", 5432), true);
  assert.is(cell("hv1.vm1", "hv1.vm2", "tcp", 5431), false);
  assert.is(cell("hv1.vm2", "hv1.vm1", "tcp", 5432), false);
  assert.is(cell("hv1.vm1", "hv1.vm2", "tcp", 22), false);
  assert.is(cell("hv1.vm2", "hv1.vm1", "icmp"), false);
  assert.is(cell("hv1.vm3", "external.wan", "tcp", 443), true);
  assert.is(cell("external.wan", "hv1.vm3", "tcp", 22), false);
  assert.is(cell("external.hv1-admin", "hv1.vm5", "tcp", 22), true);
  assert.is(cell("hv1.vm4", "external.hv1-metadata", "tcp", 80), true);
  assert.is(cell("hv1.vm4", "hv1", "udp", 53), true);
  // 5 VMs: 20 ordered pairs, each with an isolation cell.
  assert.is(m.cells.filter((x) => x.proto === "icmp" && x.from.startsWith("hv1.vm") && x.to.startsWith("hv1.vm")).length, 20);
  assert.equal(m.endpoints.find((e) => e.id === "hv1.vm2"), { id: "hv1.vm2", kind: "vm", host: "hv1", address: "10.2.0.2" });
  // The topology's own expectations agree with the intent.
  for (const e of c.ir.expectations.filter((e) => e.from.startsWith("hv1.") && e.to.startsWith("hv1."))) {
    assert.is(cell(e.from, e.to, e.proto, e.port), e.reach, `${e.from} -> ${e.to} ${e.proto}/${e.port}`);
  }
});

test.run();
