/**
 * Nothing of a run survives it: after a normal run, after SIGTERM midway (the handler tears down
 * before exiting), after SIGKILL midway (the guardian notices the owner died and tears down), and
 * for a run whose owner and guardian both vanished (the next run's sweep). Every check is scoped
 * to the run's own id: other labs may be running on this machine.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { alive, LAB_ROOT, procRef, readState, recoverStaleRuns, runDir, writeState, type RunState } from "../../src/lab/runtime/state.js";
import { ROOT } from "../helpers/compile.js";
import { LAB_BASICS, leftovers, verifyOk } from "../helpers/lab.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rootLinks(): string[] {
  return (JSON.parse(spawnSync("ip", ["-j", "link", "show"], { encoding: "utf8" }).stdout) as { ifname: string }[]).map((l) => l.ifname).sort();
}

function rootRoutes(): string {
  return spawnSync("ip", ["route", "show", "table", "all"], { encoding: "utf8" }).stdout;
}

/** Start `topo verify` as a child and wait until its lab is up to the given daemon kind; returns the child and the run's state. */
async function startAndWait(daemonPrefix: string) {
  const child = spawn(process.execPath, [join(ROOT, "bin", "topo.js"), "verify", LAB_BASICS], { stdio: "ignore" });
  const exited = new Promise<number | null>((r) => child.on("exit", (code, sig) => r(code ?? (sig ? 128 + ({ SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig]! : null))));
  const t0 = Date.now();
  for (;;) {
    assert.ok(Date.now() - t0 < 30_000, "the run did not get that far in 30 s");
    for (const id of existsSync(LAB_ROOT) ? readdirSync(LAB_ROOT) : []) {
      const s = readState(runDir(id));
      if (s && s.owner.pid === child.pid && s.processes.some((p) => p.what?.startsWith(daemonPrefix))) return { child, exited, state: s };
    }
    await sleep(20);
  }
}

async function assertGone(state: RunState, withinMs: number) {
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs && (leftovers(state.id).length || state.processes.some(alive))) await sleep(50);
  assert.equal(leftovers(state.id), [], "namespaces and run directory removed");
  assert.equal(state.processes.filter(alive).map((p) => p.what), [], "every process of the run stopped");
  assert.ok(state.namespaces.length > 0);
}

test("after a normal run: no namespace, process or directory; the root namespace's links and routes untouched", async () => {
  const links = rootLinks();
  const routes = rootRoutes();
  const r = await verifyOk({ file: LAB_BASICS, host: "edge" });
  assert.equal(leftovers(r.run), []);
  assert.equal(rootLinks(), links);
  assert.is(rootRoutes(), routes);
});

test("SIGTERM midway (while probing): the handler tears down before the process exits", async () => {
  const { child, exited, state } = await startAndWait("listen-");
  const live = readState(runDir(state.id))!;
  child.kill("SIGTERM");
  assert.is(await exited, 143);
  await assertGone(live, 100);
});

test("SIGKILL midway (networkd just started): the guardian tears the run down", async () => {
  const { child, exited, state } = await startAndWait("networkd@");
  const live = readState(runDir(state.id))!;
  assert.ok(alive(live.guardian), "the run has a guardian");
  child.kill("SIGKILL");
  assert.is(await exited, 137);
  await assertGone(live, 10_000);
  for (let t = 0; t < 3000 && alive(live.guardian); t += 50) await sleep(50);
  assert.ok(!alive(live.guardian), "the guardian exits once done");
});

test("--keep leaves the lab up (namespaces, networkd), ignored by the sweep; --teardown removes it", async () => {
  const r = await verifyOk({ file: LAB_BASICS, host: "office", keep: true });
  try {
    assert.ok(r.kept);
    const state = readState(runDir(r.run))!;
    assert.is(state.status, "kept");
    assert.ok(leftovers(r.run).length > 1, "namespaces still there");
    assert.ok(state.processes.filter((p) => p.what?.startsWith("networkd@")).every(alive), "networkd still running");
    assert.not.ok(recoverStaleRuns().includes(r.run), "a kept run is not stale");
    const cli = spawnSync(process.execPath, [join(ROOT, "bin", "topo.js"), "verify", "--teardown", r.run], { encoding: "utf8" });
    assert.is(cli.status, 0, cli.stderr);
    assert.match(cli.stderr, new RegExp(`removed lab ${r.run}`));
    await assertGone(state, 1000);
  } finally {
    spawnSync(process.execPath, [join(ROOT, "bin", "topo.js"), "verify", "--teardown", r.run]);
  }
});

test("a run whose owner and guardian are both gone is swept by the next run", async () => {
  const id = `topo-${Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0")}`;
  const ns = `${id}-stale`;
  // The stale run's remains first, then its record (atomically): any run's sweep may act on it
  // as soon as the record exists (other labs run on this machine), and it must find it whole.
  assert.is(spawnSync("ip", ["netns", "add", ns]).status, 0);
  const sleeper = spawn("ip", ["netns", "exec", ns, "sleep", "60"], { stdio: "ignore", detached: true });
  await sleep(200);
  const ref = procRef(sleeper.pid!, "sleep");
  assert.ok(alive(ref));
  const state: RunState = { id, owner: { pid: 1, start: "not-this-process" }, status: "running", created: new Date().toISOString(), namespaces: [ns], processes: [ref] };
  const staging = join(LAB_ROOT, `.new-${id}`);
  mkdirSync(staging, { recursive: true });
  writeState(staging, state);
  renameSync(staging, runDir(id));
  recoverStaleRuns();
  await assertGone(state, 3000);
});

test.run();
