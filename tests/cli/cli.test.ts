/**
 * The real bin, as scripts use it: exit codes, stdout for data, stderr for people, colour rules.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ROOT } from "../helpers/compile.js";
import { topo } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };

test("--version and --help", () => {
  const v = topo(["--version"]);
  assert.is(v.status, 0);
  assert.match(v.stdout, pkg.version);
  const h = topo(["--help"]);
  assert.is(h.status, 0);
  for (const cmd of ["compile", "validate", "explain"]) assert.match(h.stdout, cmd);
});

test("usage errors exit 2", () => {
  assert.is(topo(["frobnicate"]).status, 2);
  assert.is(topo([]).status, 2);
  assert.is(topo(["explain", "TOPO0000"]).status, 2);
});

test("explain prints a code's explanation", () => {
  const r = topo(["explain", "topo4001"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /TOPO4001: interface name too long/);
});

test("the committed reference tree is up to date (compile --check)", () => {
  const r = topo(["compile", "topology.ts", "--check"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /up to date/);
});

test("validate --json prints data on stdout", () => {
  const r = topo(["validate", "topology.ts", "--json"]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).hosts, ["hv1", "netmaker-gateway", "node2", "oo1424oo"]);
});

test("no colour when NO_COLOR is set or output is not a terminal; a missing file is located", () => {
  const r = topo(["validate", "nope.ts"], { env: { NO_COLOR: "" } });
  assert.is(r.status, 1);
  assert.not.match(r.stderr, /\u001b\[/);
  assert.match(r.stderr, /TOPO1003/);
});

test("ir prints the resolved IR as JSON", () => {
  const r = topo(["ir", "topology.ts"]);
  assert.is(r.status, 0, r.stderr);
  const ir = JSON.parse(r.stdout);
  assert.is(ir.hosts.length, 4);
  assert.is(ir.source, "topology.ts");
});

test("validate --typecheck reports TypeScript errors at their line and column", () => {
  const ok = topo(["validate", "--typecheck", "topology.ts"]);
  assert.is(ok.status, 0, ok.stderr);
  const bad = topo(["validate", "--typecheck", "topology.ts"], { cwd: join(ROOT, "tests", "errors", "unknown-field") });
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^topology\.ts:8:38  \(root\)  error TOPO1004: TS2561: Object literal may only specify known properties, but 'adress' does not exist/);
});

test.run();
