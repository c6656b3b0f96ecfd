/**
 * topo graph: the diagrams in the committed tree are what compile plans, Mermaid's own parser
 * accepts every one of them, hostile names and descriptions reach the labels intact (escaped, not
 * interpreted), and the bytes do not depend on the order things are declared in.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { escapeText, nodeId } from "../../src/lower/graph/mermaid.js";
import { GRAPH_DIR } from "../../src/lower/graph/plan.js";
import { compileOk, ROOT } from "../helpers/compile.js";
import { mermaid, mermaidBlocks } from "../helpers/mermaid.js";
import { withTmp } from "../helpers/tmp.js";
import { nixEvalJson } from "../helpers/tools.js";
import { exportJson } from "../helpers/json-topology.js";

/** Mermaid keeps entity codes as placeholders until it renders; decode them as the renderer does. */
const decode = (s: string) => s.replace(/ﬂ°°(\d+)¶ß/g, (_, n: string) => String.fromCodePoint(Number(n)));

async function parseAll(markdown: string, where: string) {
  const m = await mermaid();
  const blocks = mermaidBlocks(markdown);
  assert.ok(blocks.length > 0, `${where} has a diagram`);
  const out = [];
  for (const b of blocks) {
    try {
      assert.ok(await m.parse(b), where);
    } catch (e) {
      assert.unreachable(`${where}: Mermaid rejects the diagram: ${(e as Error).message}\n${b}`);
    }
    out.push(await m.mermaidAPI.getDiagramFromText(b));
  }
  return out as unknown as { db: { getVertices(): Map<string, { text: string }>; getEdges(): { text: string }[]; getSubGraphs(): { title: string }[] } }[];
}

test("the committed diagrams are the planned ones, one per host and one for the fleet", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"), ROOT);
  const committed = readdirSync(join(ROOT, GRAPH_DIR)).sort();
  assert.equal(committed, ["fleet.md", ...c.ir.hosts.map((h) => `${h.name}.md`)].sort());
  for (const f of committed) assert.is(readFileSync(join(ROOT, GRAPH_DIR, f), "utf8"), c.plan.get(`${GRAPH_DIR}/${f}`), f);
});

test("Mermaid parses every committed diagram; they show what the fleet has", async () => {
  const texts: string[] = [];
  for (const f of readdirSync(join(ROOT, GRAPH_DIR)).sort()) {
    const diagrams = await parseAll(readFileSync(join(ROOT, GRAPH_DIR, f), "utf8"), f);
    for (const d of diagrams) {
      texts.push(...[...d.db.getVertices().values()].map((v) => decode(v.text)), ...d.db.getEdges().map((e) => decode(e.text)), ...d.db.getSubGraphs().map((s) => decode(s.title)));
    }
  }
  const all = texts.join("\n");
  for (const expected of ["mesh nm-privacy", "10.100.0.3, publishes 10.1.0.0/24", "op-dbus-api #201", "vector-db #103", "chain privacy 1", "tcp/5432", "vm5", "warp0 far end", "socks5 tcp/1080 exits via oo1424oo.warp0", "vmbr0 (ovs)"]) {
    assert.ok(all.includes(expected), `a diagram shows ${JSON.stringify(expected)}`);
  }
});

test("hostile names and descriptions are labels, never syntax", async () => {
  const { value } = await exportJson(join(ROOT, "topology.ts"));
  const v = value as { hosts: Record<string, any> };
  const evil = 'a"b]) --> x; %% end #1 <b>|`c` \\ ${x} ;click';
  v.hosts.node2.description = evil;
  v.hosts.node2.containers.end = { id: 106, bridge: "vmbr0", address: "10.1.0.106/24", description: evil, services: { subgraph: { proto: "tcp", port: 1 } } };
  v.hosts.node2.bridges.vmbr0.description = evil;
  await withTmp(async (dir) => {
    const file = join(dir, "topology.json");
    writeFileSync(file, JSON.stringify(v, null, 2));
    const r = compile({ file, source: readFileSync(file, "utf8"), value: v }, { outDir: dir, lockText: readFileSync(join(ROOT, "topo.lock.json"), "utf8") });
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.diagnostics));
    if (!r.ok) return;
    const md = r.compiled.plan.get(`${GRAPH_DIR}/node2.md`)!;
    const [d] = await parseAll(md, "node2.md");
    const vertices = d!.db.getVertices();
    assert.ok(decode(vertices.get("host_node2")!.text).includes(evil), decode(vertices.get("host_node2")!.text));
    assert.ok(vertices.has("ct_end"), "a container named `end` is a node");
    assert.ok(decode(vertices.get("ct_end")!.text).includes("subgraph tcp/1"));
    await parseAll(r.compiled.plan.get(`${GRAPH_DIR}/fleet.md`)!, "fleet.md");
    // The Markdown around the diagram does not turn the description into markup either.
    assert.not.match(r.compiled.plan.get(`${GRAPH_DIR}/fleet.md`)!, "<b>");
  });
});

test("a host's diagram lists the mesh peers its wireguard.nix configures: a hub-mesh spoke shows only the hub", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"), ROOT);
  const mesh = c.ir.meshes.find((m) => m.shape === "hub")!;
  assert.ok(mesh, "the reference fleet has a hub mesh");
  const hostOfKey = new Map(mesh.members.map((m) => [m.publicKey, m.host]));
  const peersShown: Record<string, string[]> = {};
  for (const member of mesh.members) {
    const [d] = await parseAll(readFileSync(join(ROOT, GRAPH_DIR, `${member.host}.md`), "utf8"), member.host);
    const text = decode(d!.db.getVertices().get(nodeId("mesh", mesh.name))!.text);
    const shown = /peers: ([^<]*)/.exec(text)?.[1]?.split(", ") ?? [];
    // The real consumer's view: the peers the host applies to the mesh interface (wireguard.nix, evaluated).
    const wg = nixEvalJson(join(ROOT, "hosts", member.host, "wireguard.nix")) as { topo: { wireguard: { peers: Record<string, { PublicKey: string }[]> } } };
    const configured = (wg.topo.wireguard.peers[mesh.interface] ?? []).map((p) => hostOfKey.get(p.PublicKey)!).sort();
    assert.equal(shown, configured, `${member.host}: diagram peers = wireguard.nix peers`);
    peersShown[member.host] = shown;
  }
  for (const m of mesh.members.filter((x) => x.host !== mesh.hub)) assert.equal(peersShown[m.host], [mesh.hub!], `${m.host} peers with the hub only`);
  assert.equal(peersShown[mesh.hub!], mesh.members.filter((x) => x.host !== mesh.hub).map((x) => x.host).sort(), "the hub peers with every spoke");
});

test("the diagrams do not depend on declaration order", async () => {
  const { value } = await exportJson(join(ROOT, "topology.ts"));
  const reverse = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
  const v = value as { hosts: Record<string, any>; meshes: Record<string, any> };
  const shuffled = { ...v, hosts: reverse(Object.fromEntries(Object.entries(v.hosts).map(([k, h]) => [k, { ...reverse(h), ...(h.containers ? { containers: reverse(h.containers) } : {}) }]))) };
  shuffled.meshes = { "nm-privacy": { ...v.meshes["nm-privacy"], members: reverse(v.meshes["nm-privacy"].members) } };
  const graphs = (x: unknown) => {
    const r = compile({ file: join(ROOT, "topology.json"), source: "", value: x }, { outDir: ROOT, lockText: readFileSync(join(ROOT, "topo.lock.json"), "utf8") });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    return [...r.compiled.plan].filter(([p]) => p.startsWith(GRAPH_DIR));
  };
  assert.equal(graphs(shuffled), graphs(v));
});

test("node ids are injective and never a keyword; text outside the safe set becomes entity codes", () => {
  const names = ["end", "a-b", "a_2db", "a_2d_b", "a-1", "a\u02d1", "a.b", "a b", "A", "a"];
  const ids = names.map((n) => nodeId("ct", n));
  assert.is(new Set(ids).size, names.length);
  for (const id of ids) assert.match(id, /^ct_[A-Za-z0-9_]+$/);
  assert.is(escapeText('x"y#1;<b>|`'), "x#34;y#35;1#59;#60;b#62;#124;#96;");
});

test.run();
