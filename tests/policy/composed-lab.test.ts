/**
 * Issue 10, defects 1, 5, 6 and 9 in a real lab (`topo verify` of tests/cases/policy/mixed.ts):
 * a hypervisor that is also a mesh hub and carries a published Linux bridge of containers.
 * Against the tree of the previous compiler these cells were mismatches: spoke-to-spoke transit,
 * mesh <-> the published bridge and the bridge's way out all died in the VM chain's final drop
 * (1); the internet reached the host on the VMs' sshPort (5); a trusted VM bridge changed
 * nothing (6); the internet opened connections into a host's Linux bridge (9).
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CASES } from "../helpers/compile.js";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";

test("lab: every concept on one host, composed: 0 mismatches, and the cells that were wrong are right", async () => {
  const r = await verifyOk({ file: join(CASES, "policy", "mixed.ts") });
  assert.equal(r.cells.filter((c) => !c.ok).map(cellName), []);
  assert.equal(r.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
  const seen = (from: string, to: string, proto = "icmp", port?: number) => {
    const c = r.cells.find((x) => x.from === from && x.to === to && x.proto === proto && x.port === port);
    assert.ok(c, `cell ${from} -> ${to} ${proto}/${port ?? ""} was probed`);
    return c!.observed;
  };
  // 1: the hub carries spokes, the mesh reaches the published bridge, the bridge reaches the internet.
  assert.is(seen("s1", "s2"), true);
  assert.is(seen("s2", "s1"), true);
  assert.is(seen("s1", "hv.web"), true);
  assert.is(seen("s1", "hv.web", "tcp", 80), true);
  assert.is(seen("external.hv.br0", "external.wan"), true);
  // ...and the VMs stay isolated.
  assert.is(seen("hv.vm1", "hv.vm2"), false);
  // 5: sshPort 2222 is not open on the host.
  assert.is(seen("external.wan", "hv", "tcp", 2222), false);
  // 6: the trusted VM bridge reaches every port of the host; the other VM does not.
  assert.is(seen("hv.vm1", "hv", "tcp", 9), true);
  assert.is(seen("hv.vm2", "hv", "tcp", 9), false);
  // 9: a host without VMs filters what it forwards: its bridge goes out, nothing comes in unasked.
  assert.is(seen("external.s1.br1", "external.wan"), true);
  assert.is(seen("external.wan", "external.s1.br1"), false);
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

test("lab: every concept on one host (VMs, hub, Linux and OVS bridges, chain, roles, VPN, a remote exit): 0 mismatches", async () => {
  const r = await verifyOk({ file: join(CASES, "policy", "everything.ts") });
  assert.equal(r.cells.filter((c) => !c.ok).map(cellName), []);
  assert.equal(r.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
  assert.ok(r.notes.some((n) => /chain onion \(entry -> relay -> warp0\) taken in order/.test(n)), r.notes.join("\n"));
  assert.ok(r.notes.some((n) => /leak test, warp0 down: entry reached nothing/.test(n)), r.notes.join("\n"));
  assert.ok(r.notes.some((n) => /s2\.socks .* exits through hv's warp0/.test(n)), r.notes.join("\n"));
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

test.run();
