/**
 * topo schema: the published JSON Schema accepts the reference fleet written as JSON and rejects
 * what topo rejects (checked by ajv, a real JSON Schema validator); a JSON topology compiles to
 * the same tree as the TypeScript one.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { IPv4, IPv4Cidr } from "../../src/model/common.js";
import { Topology } from "../../src/model/topology.js";
import { printJsonSchema, SCHEMA_FILE } from "../../src/model/json-schema.js";
import { compileFile, compileOk, ROOT } from "../helpers/compile.js";
import { exportJson } from "../helpers/json-topology.js";
import { withTmp } from "../helpers/tmp.js";
import { run } from "../helpers/tools.js";

const committed = readFileSync(join(ROOT, SCHEMA_FILE), "utf8");
const ajv = new Ajv2020({ allErrors: true, strict: false });
const check = ajv.compile(JSON.parse(committed) as object);

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

test("the committed topology.schema.json is what `topo schema` prints", () => {
  assert.is(committed, printJsonSchema());
  const cli = run(process.execPath, [join(ROOT, "bin", "topo.js"), "schema"]);
  assert.is(cli.status, 0, cli.stderr);
  assert.is(cli.stdout, committed);
});

test("the reference fleet exported as JSON validates against the schema", async () => {
  const { value } = await exportJson(join(ROOT, "topology.ts"));
  const ok = check(value);
  assert.ok(ok, JSON.stringify(check.errors, null, 2));
  // and zod accepts the same value (the `$schema` key included)
  assert.ok(Topology.safeParse(value).success);
});

test("the schema rejects what topo rejects: bad address, unknown field, bad name, port range", async () => {
  const { value } = await exportJson(join(ROOT, "topology.ts"));
  const hosts = (v: Record<string, unknown>) => v.hosts as Record<string, Record<string, any>>;
  const mutations: [string, (v: Record<string, unknown>) => void][] = [
    ["octet out of range", (v) => (hosts(v).node2!.uplink.address = "203.0.113.300/24")],
    ["prefix out of range", (v) => (hosts(v).node2!.containers.redis.address = "10.1.0.104/33")],
    ["unknown field", (v) => (hosts(v).node2!.firewal = {})],
    ["host name with upper case", (v) => (hosts(v).Node3 = clone(hosts(v).node2!))],
    ["port 0", (v) => (hosts(v).node2!.firewall.allowedTCPPorts = [0])],
    ["bridge kind", (v) => (hosts(v).node2!.bridges.vmbr0.kind = "ovz")],
    ["hostile description", (v) => (hosts(v).node2!.description = "two\nlines")],
  ];
  for (const [what, mutate] of mutations) {
    const v = clone(value);
    mutate(v);
    assert.not.ok(check(v), `schema accepted: ${what}`);
    assert.not.ok(Topology.safeParse(v).success, `zod accepted: ${what}`);
  }
});

test("the IPv4 patterns agree with the zod refinements", () => {
  const ipv4 = ajv.compile({ $ref: "#/$defs/IPv4", $defs: (JSON.parse(committed) as { $defs: object }).$defs });
  const cidr = ajv.compile({ $ref: "#/$defs/IPv4Cidr", $defs: (JSON.parse(committed) as { $defs: object }).$defs });
  const samples = ["0.0.0.0", "10.0.0.1", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "999.1.1.1", "192.168.1.255"];
  for (const s of samples) assert.is(ipv4(s), IPv4.safeParse(s).success, `IPv4 ${JSON.stringify(s)}`);
  for (const s of samples.flatMap((a) => ["/0", "/8", "/24", "/32", "/33", "/01", "/00", "/123", "/", ""].map((p) => a + p))) {
    assert.is(cidr(s), IPv4Cidr.safeParse(s).success, `IPv4Cidr ${JSON.stringify(s)}`);
  }
});

/**
 * The trees differ only where they must: the header names the source file. Back-references name
 * topology paths, which are the same in both (diagnostics carry lines; see the next test).
 */
test("a JSON topology compiles to the same tree as the TypeScript one", async () => {
  const ts = await compileOk(join(ROOT, "topology.ts"), ROOT);
  await withTmp(async (dir) => {
    const { text } = await exportJson(join(ROOT, "topology.ts"));
    const jsonFile = join(dir, "topology.json");
    writeFileSync(jsonFile, text);
    copyFileSync(join(ROOT, "topo.lock.json"), join(dir, "topo.lock.json"));
    const json = await compileOk(jsonFile, dir);
    assert.equal([...json.plan.keys()], [...ts.plan.keys()]);
    let differing = 0;
    for (const [path, tsText] of ts.plan) {
      const jsonText = json.plan.get(path)!;
      if (jsonText === tsText) continue;
      differing++;
      assert.fixture(jsonText.split("topology.json").join("topology.ts"), tsText, path);
    }
    assert.ok(differing > 0, "the headers name each source");
  });
});

test("diagnostics in a JSON topology point at the line and column in topology.json", async () => {
  await withTmp(async (dir) => {
    const { text } = await exportJson(join(ROOT, "topology.ts"));
    const bad = text.replace('"address": "10.1.0.104/24"', '"address": "10.1.0.300/24"');
    assert.is.not(bad, text);
    const file = join(dir, "topology.json");
    writeFileSync(file, bad);
    const r = await compileFile(file, dir);
    assert.not.ok(r.ok);
    if (r.ok) return;
    const d = r.diagnostics.find((x) => x.path.join(".") === "hosts.node2.containers.redis.address");
    assert.ok(d, JSON.stringify(r.diagnostics.map((x) => x.path)));
    const line = bad.split("\n").findIndex((l) => l.includes("10.1.0.300/24")) + 1;
    assert.is(d!.span?.line, line);
    assert.is(d!.span?.column, bad.split("\n")[line - 1]!.indexOf('"10.1.0.300/24"') + 1);
  });
});

test.run();
