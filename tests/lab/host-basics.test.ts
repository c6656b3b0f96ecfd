/**
 * The host basics on a real lab: networkd reads the generated units, nft loads the generated
 * table, the sysctls are applied, and every cell of the intended matrix is observed as intended.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cellName, LAB_BASICS, leftovers, verifyOk } from "../helpers/lab.js";

test("lab-basics: every intended cell is observed, expectations proved, no complaint, nothing left", async () => {
  const r = await verifyOk({ file: LAB_BASICS });
  const bad = r.cells.filter((c) => !c.ok).map(cellName);
  assert.equal(bad, [], `mismatches: ${bad.join("; ")}`);
  assert.equal(r.findings.filter((f) => f.severity === "error"), []);
  assert.ok(r.ok);
  const has = (from: string, to: string, proto: string, port: number | undefined, expected: boolean) =>
    assert.ok(
      r.cells.some((c) => c.from === from && c.to === to && c.proto === proto && c.port === port && c.expected === expected && c.observed === expected),
      `cell ${from} -> ${to} ${proto}/${port} observed ${expected}`,
    );
  // Firewall ports and the port range's ends, from the internet; a closed port stays closed.
  has("external.wan", "edge", "tcp", 22, true);
  has("external.wan", "edge", "tcp", 8002, true);
  has("external.wan", "edge", "udp", 5353, true);
  has("external.wan", "edge", "tcp", 9, false);
  // The trusted bridge (through its first port) opens everything; the untrusted one does not.
  has("external.edge.br-lan", "edge", "tcp", 9, true);
  has("external.office.br0", "office", "tcp", 9, false);
  has("external.office.br0", "office", "tcp", 22, true);
  // allowPing = false; DHCP uplink got its lease from the lab's DHCP server.
  has("external.wan", "office", "icmp", undefined, false);
  has("external.wan", "office", "tcp", 22, true);
  // Forwarding and both static routes.
  has("external.edge.br-lan", "external.wan", "icmp", undefined, true);
  has("edge", "external.edge.route:10.30.0.0/24", "icmp", undefined, true);
  has("edge", "external.edge.route:198.51.100.128/25", "icmp", undefined, true);
  assert.equal(r.expectations.map((e) => e.status), ["proved", "proved", "proved"]);
  assert.equal(leftovers(r.run), []);
});

test("--host limits the lab to one host and its surroundings", async () => {
  const r = await verifyOk({ file: LAB_BASICS, host: "office" });
  assert.equal(r.hosts, ["office"]);
  assert.ok(r.cells.length > 0);
  assert.ok(r.cells.every((c) => !c.from.includes("edge") && !c.to.includes("edge")), "no cell of edge");
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

test.run();
