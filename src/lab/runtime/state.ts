/**
 * A run's record on disk, and the one teardown every exit path uses.
 *
 * Each run writes `<LAB_ROOT>/<run-id>/state.json` BEFORE it creates anything: its namespaces (all
 * named `<run-id>-...`), the processes it started (pid + kernel start time, so a recycled pid is
 * never killed) and who owns it. The same `teardownRun` then serves every way a run can end:
 * the owner's `finally` and signal handlers, the guardian process when the owner was killed with
 * SIGKILL, the stale-run sweep at the start of the next run, and `topo verify --teardown RUN`.
 * Network namespaces persist after their creator dies (they are bind mounts in /run/netns), so
 * "die with the process" cannot hold for them; a record plus a guardian can.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.js";

export const LAB_ROOT = process.env.TOPO_LAB_DIR ?? "/run/topo-lab";

export interface ProcRef {
  readonly pid: number;
  /** Kernel start time (clock ticks since boot, /proc/PID/stat field 22): pid + start is unique. */
  readonly start: string;
  readonly what?: string;
}

export interface RunState {
  readonly id: string;
  readonly owner: ProcRef;
  guardian?: ProcRef;
  status: "running" | "kept" | "done";
  readonly created: string;
  namespaces: string[];
  processes: ProcRef[];
}

export function runDir(id: string): string {
  return join(LAB_ROOT, id);
}

/** The kernel start time of a live process; undefined when gone or a zombie (dead, waiting to be reaped). */
export function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

export function procRef(pid: number, what?: string): ProcRef {
  return { pid, start: procStart(pid) ?? "?", ...(what ? { what } : {}) };
}

/** Still the same process (a recycled pid has another start time)? */
export function alive(p: ProcRef | undefined): boolean {
  return !!p && procStart(p.pid) === p.start;
}

export function writeState(dir: string, state: RunState): void {
  const tmp = join(dir, ".state.json.tmp");
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, join(dir, "state.json"));
}

export function readState(dir: string): RunState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as RunState;
  } catch {
    return undefined;
  }
}

export function listNetns(): string[] {
  const r = run(["ip", "netns", "list"]);
  if (r.status !== 0) return [];
  return r.stdout
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter(Boolean);
}

function netnsPids(ns: string): number[] {
  const r = run(["ip", "netns", "pids", ns]);
  return r.status === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

function busyWait(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export interface TeardownReport {
  readonly namespaces: string[];
  readonly processes: number;
  /** What could not be removed (should be empty). */
  readonly leftovers: string[];
  readonly ms: number;
}

/**
 * Remove everything of one run: stop its processes (recorded ones, and any process living in one
 * of its namespaces), delete its namespaces (their veths and bridges go with them), and, unless
 * `keepDir`, its directory. Synchronous, so it also runs inside a signal handler. Idempotent.
 */
export function teardownRun(id: string, opts: { keepDir?: boolean } = {}): TeardownReport {
  const t0 = Date.now();
  const dir = runDir(id);
  const state = readState(dir);
  const prefix = `${id}-`;
  const namespaces = [...new Set([...(state?.namespaces ?? []), ...listNetns().filter((n) => n.startsWith(prefix))])].sort();
  const victims = new Map<number, ProcRef>();
  for (const p of state?.processes ?? []) if (alive(p)) victims.set(p.pid, p);
  for (const ns of namespaces) for (const pid of netnsPids(ns)) if (pid !== process.pid) victims.set(pid, procRef(pid));
  const signal = (sig: NodeJS.Signals) => {
    for (const p of victims.values()) {
      if (!alive(p)) continue;
      try {
        process.kill(p.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  const waitGone = (ms: number) => {
    for (let t = 0; t < ms; t += 50) {
      if ([...victims.values()].every((p) => !alive(p))) return true;
      busyWait(50);
    }
    return false;
  };
  signal("SIGTERM");
  if (!waitGone(2000)) {
    signal("SIGKILL");
    waitGone(2000);
  }
  const leftovers: string[] = [];
  for (const p of victims.values()) if (alive(p)) leftovers.push(`process ${p.pid}${p.what ? ` (${p.what})` : ""}`);
  for (const ns of namespaces) {
    let r = run(["ip", "netns", "del", ns]);
    if (r.status !== 0 && listNetns().includes(ns)) {
      busyWait(200);
      r = run(["ip", "netns", "del", ns]);
    }
    if (listNetns().includes(ns)) leftovers.push(`namespace ${ns}: ${r.stderr.trim()}`);
  }
  if (!opts.keepDir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  return { namespaces, processes: victims.size, leftovers, ms: Date.now() - t0 };
}

export interface StaleRun {
  readonly id: string;
  readonly status: RunState["status"] | "unknown";
}

/** Runs whose owner and guardian are both gone (killed, machine crashed mid-run) and not kept on purpose. */
export function staleRuns(): StaleRun[] {
  if (!existsSync(LAB_ROOT)) return [];
  const out: StaleRun[] = [];
  for (const id of readdirSync(LAB_ROOT)) {
    if (!/^topo-[0-9a-f]{6,}$/.test(id)) continue;
    const s = readState(runDir(id));
    if (!s) {
      out.push({ id, status: "unknown" });
      continue;
    }
    if (s.status === "kept") continue;
    if (alive(s.owner) || alive(s.guardian)) continue;
    out.push({ id, status: s.status });
  }
  return out;
}

/** Sweep stale runs before starting a new one. Returns the ids removed. */
export function recoverStaleRuns(): string[] {
  return staleRuns().map((r) => {
    teardownRun(r.id);
    return r.id;
  });
}

/** Runs left up with --keep. */
export function keptRuns(): string[] {
  if (!existsSync(LAB_ROOT)) return [];
  return readdirSync(LAB_ROOT).filter((id) => readState(runDir(id))?.status === "kept");
}

export function ensureLabRoot(): void {
  mkdirSync(LAB_ROOT, { recursive: true, mode: 0o700 });
}
