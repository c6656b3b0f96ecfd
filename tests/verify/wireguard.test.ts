/**
 * WireGuard on the lab: wireguard-go devices configured from the generated netdevs, networkd
 * applying the generated networks, containers behind the (emulated) bridges, a WARP stand-in.
 * Proves the issue's "done when": every mesh member reaches every other's overlay address; node2's
 * containers are reached from oo1424oo's bridge and back; two spokes reach each other through
 * the hub and only through it; WARP is used by the containers the topology sends there and no
 * others; netmaker-gateway's proxy source exits through oo1424oo's warp0 and is seen beyond it
 * as the tunnel's address.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bringUp } from "../../src/lab/lab.js";
import { withRun } from "../../src/lab/runtime/run.js";
import { compileOk, ROOT } from "../helpers/compile.js";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { fleet } from "../wireguard/fleet.js";

const REFERENCE = join(ROOT, "topology.ts");

test("reference fleet: the mesh, the containers across it, WARP's users and the proxy's exit, observed", async () => {
  const r = await verifyOk({ file: REFERENCE });
  const bad = r.cells.filter((c) => !c.ok).map(cellName);
  assert.equal(bad, [], `mismatches: ${bad.join("; ")}`);
  assert.equal(r.findings.filter((f) => f.severity === "error"), []);
  const observed = (from: string, to: string, proto = "icmp", port?: number) => r.cells.find((c) => c.from === from && c.to === to && c.proto === proto && c.port === port);
  // Every member reaches every other member's overlay address.
  const overlay: Record<string, string> = { "netmaker-gateway": "10.100.0.1", oo1424oo: "10.100.0.2", node2: "10.100.0.3" };
  for (const a of Object.keys(overlay)) {
    for (const b of Object.keys(overlay)) {
      if (a === b) continue;
      const c = observed(a, b);
      assert.ok(c && c.address === overlay[b] && c.observed, `${a} reaches ${b} at ${overlay[b]}`);
    }
  }
  // node2's containers from oo1424oo's bridge (a container on it) and back.
  assert.ok(observed("oo1424oo.mcp-server", "node2.vector-db", "tcp", 6333)?.observed);
  assert.ok(observed("node2.vector-db", "oo1424oo.mcp-server")?.observed);
  for (const c of ["custom", "redis", "vector-db"]) assert.ok(observed("oo1424oo", `node2.${c}`)?.observed, `oo1424oo -> node2.${c}`);
  // WARP: its users only.
  const warp = "external.oo1424oo.warp0";
  assert.equal(
    ["oo1424oo.gateway", "oo1424oo.xray", "oo1424oo.mcp-server", "oo1424oo.op-dbus-api", "oo1424oo", "netmaker-gateway"].map((f) => observed(f, warp)?.observed),
    [true, true, false, false, false, false],
  );
  assert.ok(r.expectations.every((e) => e.status !== "failed"));
  assert.equal(r.expectations.filter((e) => e.to === warp || e.from === "node2.vector-db").map((e) => e.status), ["proved", "proved", "proved"]);
  // What cells cannot say: the source beyond the tunnel, the proxy's source, the hub as first hop.
  const note = (re: RegExp) => assert.ok(r.notes.some((n) => re.test(n)), `note ${re}`);
  note(/netmaker-gateway\.socks5 \(source 10\.100\.0\.1\) exits through oo1424oo's warp0; beyond it the source is 172\.16\.0\.2/);
  note(/gateway exits through oo1424oo's warp0; beyond it the source is 172\.16\.0\.2/);
  note(/xray exits through oo1424oo's warp0; beyond it the source is 172\.16\.0\.2/);
  note(/oo1424oo -> node2 \(10\.100\.0\.3\) on nm-privacy: first hop is the hub netmaker-gateway/);
  note(/node2 -> oo1424oo \(10\.100\.0\.2\) on nm-privacy: first hop is the hub netmaker-gateway/);
  // The WireGuard ports are held by wireguard-go: listed, not guessed.
  assert.ok(r.unprobed.some((u) => u.why?.includes("wireguard-go (nm-privacy)")));
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

test("hub shape: spokes reach each other only through the hub (its forwarding off, they do not)", async () => {
  const c = await compileOk(REFERENCE);
  const { result, run, teardown } = await withRun(async (labRun) => {
    const tree = join(labRun.dir, "tree");
    for (const [p, text] of c.plan) {
      mkdirSync(dirname(join(tree, p)), { recursive: true });
      writeFileSync(join(tree, p), text);
    }
    const ctx = await bringUp(labRun, { ir: c.ir, tree });
    const oo = ctx.hostNs("oo1424oo");
    const hub = ctx.hostNs("netmaker-gateway");
    const ping = (ns: string, addr: string, extra: string[] = []) => labRun.tryExec(ns, ["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", ...extra, addr], { timeoutMs: 6000 });
    const before = ping(oo, "10.100.0.3").status;
    const ttl1 = ping(oo, "10.100.0.3", ["-t", "1"]).stdout;
    labRun.exec(hub, ["sysctl", "-q", "-w", "net.ipv4.conf.all.forwarding=0"]);
    const hubOff = ping(oo, "10.100.0.3").status;
    const containerHubOff = ping(ctx.endpoints.get("oo1424oo.mcp-server")!.ns, "10.1.0.103").status;
    labRun.exec(hub, ["sysctl", "-q", "-w", "net.ipv4.conf.all.forwarding=1"]);
    const after = ping(oo, "10.100.0.3").status;
    return { before, ttl1, hubOff, containerHubOff, after };
  });
  assert.is(result.before, 0, "oo1424oo reaches node2's overlay address");
  assert.match(result.ttl1, /From 10\.100\.0\.1 .*Time to live exceeded/, "the first hop is the hub");
  assert.is.not(result.hubOff, 0, "without the hub forwarding, the spokes do not reach each other");
  assert.is.not(result.containerHubOff, 0, "nor do their containers");
  assert.is(result.after, 0, "forwarding back on: reached again");
  assert.ok(teardown);
  assert.equal(leftovers(run.id), []);
});

test("full shape on Linux bridges: members and their containers reach each other directly; the exit goes straight to its host", async () => {
  const f = fleet();
  f.meshes.mesh.shape = "full";
  delete f.meshes.mesh.hub;
  f.meshes.mesh.members.n2.behindNat = false;
  f.meshes.mesh.members.n2.endpoint = "203.0.113.20:51821";
  // Linux bridges: networkd makes them, the lab plugs the containers in.
  f.hosts.n1.bridges.br0.kind = "linux";
  f.hosts.n2.bridges.br0.kind = "linux";
  delete f.hosts.n1.tunnels.warp0.bridge;
  // No port binds a container on a Linux bridge, so none may exit through the tunnel (TOPO3054):
  // only the mesh's service (bound by WireGuard's allowed-ips) does.
  delete f.hosts.n1.containers.priv.role;
  f.hosts.n1.tunnels.warp0.usedBy = ["gw.socks"];
  await withTmp(async (dir) => {
    const file = join(dir, "topology.json");
    writeFileSync(file, JSON.stringify(f));
    const r = await verifyOk({ file });
    const bad = r.cells.filter((c) => !c.ok).map(cellName);
    assert.equal(bad, [], `mismatches: ${bad.join("; ")}`);
    assert.equal(r.findings.filter((x) => x.severity === "error"), []);
    for (const [a, b, addr] of [["n1", "n2", "10.100.0.3"], ["n2", "n1", "10.100.0.2"], ["gw", "n2", "10.100.0.3"], ["n2", "gw", "10.100.0.1"]] as const) {
      assert.ok(r.cells.some((c) => c.from === a && c.to === b && c.address === addr && c.observed), `${a} -> ${b}`);
    }
    for (const [a, b] of [["n1", "n2.db"], ["gw", "n2.db"], ["n2", "n1.mgmt"]] as const) assert.ok(r.cells.some((c) => c.from === a && c.to === b && c.observed), `${a} -> ${b}`);
    for (const c of ["n1.priv", "n1.mgmt"]) assert.ok(r.cells.some((x) => x.from === c && x.to === "external.n1.warp0" && !x.observed && x.ok), `${c} stays out of warp0`);
    assert.ok(r.notes.some((n) => /gw\.socks \(source 10\.100\.0\.1\) exits through n1's warp0; beyond it the source is 172\.16\.0\.2/.test(n)));
    assert.ok(r.ok);
    assert.equal(leftovers(r.run), []);
  });
});

test.run();
