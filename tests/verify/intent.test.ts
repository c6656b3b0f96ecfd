/**
 * The host-basics intent and the expectations checked against it at compile time.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { intentMatrix } from "../../src/policy/intent.js";
import { closedPort, routeTarget } from "../../src/policy/contributors/host-firewall.js";
import { compileFile, compileOk, ROOT } from "../helpers/compile.js";
import { LAB_BASICS } from "../helpers/lab.js";

test("the host-basics matrix of the fixture: open ports, range ends, closed probes, trust, ping, forwarding, routes", async () => {
  const { ir } = await compileOk(LAB_BASICS);
  const m = intentMatrix(ir);
  const cell = (from: string, to: string, proto: string, port?: number) => m.cells.find((c) => c.from === from && c.to === to && c.proto === proto && c.port === port);
  assert.is(cell("external.wan", "edge", "tcp", 443)?.allowed, true);
  assert.is(cell("external.wan", "edge", "tcp", 8000)?.allowed, true);
  assert.is(cell("external.wan", "edge", "tcp", 8002)?.allowed, true);
  assert.is(cell("external.wan", "edge", "tcp", 8001), undefined, "only the ends of a range are probed");
  assert.is(cell("external.wan", "edge", "tcp", 9)?.allowed, false);
  assert.is(cell("external.edge.br-lan", "edge", "tcp", 9)?.allowed, true, "trusted bridge");
  assert.is(cell("external.edge.br-lan", "edge", "tcp", 9)?.toAddress, "10.20.0.1");
  assert.is(cell("external.office.br0", "office", "tcp", 9)?.allowed, false);
  assert.is(cell("external.wan", "office", "icmp")?.allowed, false, "allowPing = false");
  assert.is(cell("external.edge.br-lan", "external.wan", "icmp")?.allowed, true, "edge forwards");
  assert.is(cell("edge", "external.edge.route:10.30.0.0/24", "icmp")?.toAddress, "10.30.0.1");
  assert.match(cell("external.wan", "edge", "tcp", 443)!.reason, /hosts\.edge\.firewall/);
  assert.ok(m.endpoints.some((e) => e.id === "external.wan" && e.host === "*"));
});

test("closed probe port and route target", () => {
  assert.is(closedPort([22], []), 9);
  assert.is(closedPort([9, 10], [{ from: 11, to: 20 }]), 21);
  assert.is(routeTarget("10.30.0.0/24"), "10.30.0.1");
  assert.is(routeTarget("192.0.2.7/32"), "192.0.2.7");
});

test("TOPO3007 at each expectation the policy contradicts; TOPO3001 for an unknown external; unjudged cells pass", async () => {
  const r = await compileFile(join(ROOT, "tests", "errors", "expectation-contradicts", "topology.ts"));
  assert.is(r.ok, false);
  if (r.ok) return;
  const got = r.diagnostics.map((d) => `${d.code} ${d.span?.line}`);
  assert.equal(got, ["TOPO3007 15", "TOPO3007 16", "TOPO3001 17"]);
  const d = r.diagnostics[0]!;
  assert.match(d.message, /external\.wan reaches web on tcp\/9, but the policy blocks it: tcp\/9 not open in hosts\.web\.firewall/);
  assert.ok(d.hint);
  assert.match(r.diagnostics[2]!.hint ?? "", /did you mean `external\.wan`/);
});

test("the reference fleet's expectations do not contradict its policy", async () => {
  await compileOk(join(ROOT, "topology.ts"));
});

test.run();
