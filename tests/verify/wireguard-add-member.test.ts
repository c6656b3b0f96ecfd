/**
 * Adding a mesh member to a running mesh, as a deploy does it. A lab runs the tree of a mesh with
 * two members (hub `gw`, `n2` behind NAT: the hub only knows the endpoint n2 roamed from); n2
 * pings the hub continuously. Then the topology gains a member (`n1`), and on each existing member
 * the lab applies exactly what the generated activation does: the peers the Nix evaluator renders
 * from the new tree's wireguard.nix with the tree's wireguard-peers-conf.nix, handed to the tree's
 * wireguard-peers-sync.sh (what topo-wg-peers-<if>.service runs). The ping stream loses at most
 * one packet, the hub has the new peer and n2's hub peer the new member's subnet.
 *
 * The contrast: what networkd does when it re-applies a WireGuard netdev (on the restart a changed
 * .netdev causes on switch): every peer replaced at once (WGDEVICE_F_REPLACE_PEERS). The hub
 * forgets n2's session and roamed endpoint, and the stream breaks until n2 handshakes again.
 * Last, networkd configuring the netdev after the sync script ran (its restart is asynchronous):
 * the peers replaced with none while the script watches; it adds them again.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bringUp } from "../../src/lab/lab.js";
import { labWireguard } from "../../src/lab/components/wireguard.js";
import { run as runCmd, sleep } from "../../src/lab/runtime/exec.js";
import { withRun } from "../../src/lab/runtime/run.js";
import { leftovers } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { run as runTool } from "../helpers/tools.js";
import { compileValue, fleet, KEYS } from "../wireguard/fleet.js";

const IFACE = "wgmesh";

/** The fleet of the wireguard suites, lean: no tunnels, bridges or containers; fixed overlay addresses. */
function mesh(withN1: boolean): any {
  const f = fleet();
  delete f.hosts.gw.services;
  for (const h of ["n1", "n2"]) {
    delete f.hosts[h].bridges;
    delete f.hosts[h].containers;
    delete f.hosts[h].tunnels;
    delete f.hosts[h].vpnServers;
  }
  const m = f.meshes.mesh.members;
  m.n1.address = "10.100.0.2";
  m.n1.publishes = ["10.0.0.0/24"];
  m.n2.address = "10.100.0.3";
  delete m.n2.publishes;
  if (!withN1) delete m.n1;
  return f;
}

async function compileInto(dir: string, value: unknown) {
  mkdirSync(dir, { recursive: true });
  const r = await compileValue(dir, value);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  for (const [p, text] of r.compiled.plan) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return r.compiled;
}

/** A bounded ping stream (ping -i 0.2 -c N) from a namespace, counted when it ends. */
function pingStream(ns: string, address: string, count: number): Promise<{ sent: number; received: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("ip", ["netns", "exec", ns, "ping", "-n", "-i", "0.2", "-c", String(count), "-W", "1", address]);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("close", () => {
      const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
      if (!m) reject(new Error(`no ping summary:\n${out}`));
      else resolve({ sent: Number(m[1]), received: Number(m[2]), out });
    });
  });
}

test("adding a mesh member with the generated activation keeps the existing tunnel; replacing every peer (networkd's way) breaks it", async () => {
  await withTmp(async (tmp) => {
    const before = await compileInto(join(tmp, "before"), mesh(false));
    const afterDir = join(tmp, "after");
    await compileInto(afterDir, mesh(true));
    const { result, run, teardown } = await withRun(async (labRun) => {
      const ctx = await bringUp(labRun, { ir: before.ir, tree: join(tmp, "before") });
      const wg = labWireguard(ctx)!;
      const device = (host: string) => wg.devices.find((d) => d.host === host && d.name === IFACE)!;
      const inDevice = (host: string, argv: string[]) => runCmd(["nsenter", "-t", String(device(host).pid), "-m", "-n", ...argv]);
      // The activation, from the new tree: the evaluator renders the peers file, with the lab's
      // keys in place of the generated public keys (the lab never uses real keys).
      const confFor = (host: string): string => {
        const hostDir = join(afterDir, "hosts", host);
        const r = runTool("nix-instantiate", ["--eval", "--strict", "--json", "-E", `(import ${hostDir}/wireguard-peers-conf.nix) (import ${hostDir}/wireguard.nix).topo.wireguard.peers.${IFACE}`]);
        if (r.status !== 0) throw new Error(r.stderr);
        const text = JSON.parse(r.stdout) as string;
        const file = join(tmp, `${host}-${IFACE}.conf`);
        writeFileSync(file, text.replace(/^PublicKey = (.+)$/gm, (_, k: string) => `PublicKey = ${wg.labPublicKey(k)}`));
        return file;
      };
      const confs = { gw: confFor("gw"), n2: confFor("n2") };
      const n2 = ctx.hostNs("n2");

      // 1. The generated way: remove the peers that left, `wg addconf` the rest.
      const stream1 = pingStream(n2, "10.100.0.1", 40);
      await sleep(2000);
      const applied = (["gw", "n2"] as const).map((h) => inDevice(h, ["sh", join(afterDir, "hosts", h, "wireguard-peers-sync.sh"), IFACE, confs[h]]));
      const generated = await stream1;
      const hubPeers = inDevice("gw", ["wg", "show", IFACE, "peers"]).stdout.trim().split("\n");
      const n2Allowed = inDevice("n2", ["wg", "show", IFACE, "allowed-ips"]).stdout;

      // 2. The contrast: every peer replaced at once, as networkd re-applies a netdev.
      const stream2 = pingStream(n2, "10.100.0.1", 40);
      await sleep(2000);
      const replaced = inDevice("gw", ["sh", "-ec", `for k in $(wg show ${IFACE} peers); do wg set ${IFACE} peer "$k" remove; done; wg addconf ${IFACE} ${confs.gw}`]);
      const replacing = await stream2;

      // 3. networkd configuring the netdev late (its restart): the peers replaced with none while
      // the sync script watches. It adds them again.
      const script = join(afterDir, "hosts", "gw", "wireguard-peers-sync.sh");
      const watching = new Promise<{ status: number | null; err: string }>((resolve) => {
        const p = spawn("nsenter", ["-t", String(device("gw").pid), "-m", "-n", "sh", script, IFACE, confs.gw]);
        let err = "";
        p.stderr.on("data", (d) => (err += d));
        p.on("close", (status) => resolve({ status, err }));
      });
      await sleep(1000);
      const wiped = inDevice("gw", ["sh", "-ec", `for k in $(wg show ${IFACE} peers); do wg set ${IFACE} peer "$k" remove; done; wg show ${IFACE} peers`]);
      const watched = await watching;
      const restored = inDevice("gw", ["wg", "show", IFACE, "peers"]).stdout.trim().split("\n").sort();
      return { applied, generated, hubPeers, n2Allowed, replaced, replacing, wiped, watched, restored, n1Key: wg.labPublicKey(KEYS.n1.publicKey), n2Key: wg.labPublicKey(KEYS.n2.publicKey) };
    });
    for (const a of result.applied) assert.is(a.status, 0, a.stderr);
    const lost = (s: { sent: number; received: number }) => s.sent - s.received;
    console.log(`  add member, generated activation: ${result.generated.sent} sent, ${lost(result.generated)} lost`);
    console.log(`  every peer replaced (networkd's re-apply): ${result.replacing.sent} sent, ${lost(result.replacing)} lost`);
    assert.ok(result.generated.sent >= 38, result.generated.out);
    assert.ok(lost(result.generated) <= 1, `the stream between existing members lost ${lost(result.generated)} packets:\n${result.generated.out}`);
    assert.ok(result.hubPeers.includes(result.n1Key), "the hub has the new member as a peer");
    assert.match(result.n2Allowed, /10\.0\.0\.0\/24/, "n2's hub peer carries the new member's subnet");
    assert.is(result.replaced.status, 0, result.replaced.stderr);
    assert.ok(lost(result.replacing) > 1, `replacing every peer is expected to break the stream:\n${result.replacing.out}`);
    assert.is(result.wiped.stdout.trim(), "", "every peer was removed while the script watched");
    assert.is(result.watched.status, 0, result.watched.err);
    assert.match(result.watched.err, /adding them again/);
    assert.equal(result.restored, [result.n1Key, result.n2Key].sort(), "the script put the peers back");
    assert.ok(teardown);
    assert.equal(leftovers(run.id), []);
  });
});

test.run();
