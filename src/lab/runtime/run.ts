/**
 * A lab run: the namespaces, links and processes one `topo verify` creates, and their removal.
 * Everything is named `<run-id>-...` (run id `topo-` + 6 random hex digits), created inside the
 * run's own namespaces (never in the root namespace), and recorded in the run's state file before
 * it exists, so that `teardownRun` finds it whichever way the run ends.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LabError, must, run, type Ran } from "./exec.js";
import { alive, ensureLabRoot, LAB_ROOT, procRef, readState, runDir, teardownRun, writeState, type ProcRef, type RunState, type TeardownReport } from "./state.js";

/** One end of a veth pair: the namespace and the interface name inside it. */
export interface End {
  readonly ns: string;
  readonly name: string;
}

export interface Daemon {
  readonly pid: number;
  readonly ns: string;
  readonly what: string;
  /** The daemon's stdout and stderr. */
  readonly logFile: string;
  log(): string;
  running(): boolean;
}

export interface DaemonSpec {
  readonly ns: string;
  /** Short label, used for the log file name and in messages ("networkd@oo1424oo"). */
  readonly what: string;
  readonly argv: readonly string[];
  /**
   * Shell lines run first in a private mount namespace (unshare -m), e.g. tmpfs mounts that give
   * the daemon its own /run/systemd. Positional parameters "$1".. are `mountArgs`.
   */
  readonly mountSetup?: readonly string[];
  readonly mountArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

const SAFE = /^[A-Za-z0-9_.-]{1,160}$/;

export class LabRun {
  private constructor(
    readonly id: string,
    readonly dir: string,
    private state: RunState,
  ) {}

  /** Create the run's record (atomically) and its guardian. */
  static create(): LabRun {
    ensureLabRoot();
    const id = `topo-${randomBytes(3).toString("hex")}`;
    const dir = runDir(id);
    const staging = join(LAB_ROOT, `.new-${id}`);
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const state: RunState = { id, owner: procRef(process.pid, "topo verify"), status: "running", created: new Date().toISOString(), namespaces: [], processes: [] };
    writeState(staging, state);
    renameSync(staging, dir);
    const r = new LabRun(id, dir, state);
    r.startGuardian();
    return r;
  }

  /** Attach to a kept run (for --teardown). */
  static attach(id: string): RunState | undefined {
    return readState(runDir(id));
  }

  private save(): void {
    writeState(this.dir, this.state);
  }

  private startGuardian(): void {
    const here = fileURLToPath(import.meta.url);
    const ts = here.endsWith(".ts");
    const script = join(dirname(here), ts ? "guardian.ts" : "guardian.js");
    const repo = resolve(dirname(here), "..", "..", "..");
    const child = spawn(process.execPath, [...(ts ? ["--import", "tsx"] : []), script, this.id], { cwd: repo, detached: true, stdio: "ignore" });
    child.unref();
    if (child.pid) {
      this.state.guardian = procRef(child.pid, "guardian");
      this.save();
    }
  }

  /** The full name of a namespace of this run. */
  nsName(suffix: string): string {
    if (!SAFE.test(suffix)) throw new LabError(`internal: unsafe namespace suffix ${JSON.stringify(suffix)}`);
    return `${this.id}-${suffix}`;
  }

  /** Create a namespace (recorded first), with its loopback up, as a booted machine has it. */
  ns(suffix: string): string {
    const name = this.nsName(suffix);
    if (this.state.namespaces.includes(name)) return name;
    this.state.namespaces.push(name);
    this.save();
    must(["ip", "netns", "add", name]);
    must(["ip", "-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  get namespaces(): readonly string[] {
    return this.state.namespaces;
  }

  /** A veth pair between two of the run's namespaces, created inside them (never in the root namespace). */
  veth(a: End, b: End, opts: { aUp?: boolean; bUp?: boolean } = {}): void {
    this.own(a.ns);
    this.own(b.ns);
    must(["ip", "-n", a.ns, "link", "add", a.name, "type", "veth", "peer", "name", b.name, "netns", b.ns]);
    if (opts.aUp ?? true) this.ip(a.ns, ["link", "set", a.name, "up"]);
    if (opts.bUp ?? true) this.ip(b.ns, ["link", "set", b.name, "up"]);
  }

  /** `ip -n NS ...` in one of the run's namespaces. */
  ip(ns: string, args: readonly string[]): string {
    this.own(ns);
    return must(["ip", "-n", ns, ...args]);
  }

  /** A command inside a namespace; throws with the tool's message on failure. */
  exec(ns: string, argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): string {
    this.own(ns);
    return must(["ip", "netns", "exec", ns, ...argv], opts);
  }

  /** A command inside a namespace; the caller judges the result. */
  tryExec(ns: string, argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Ran {
    this.own(ns);
    return run(["ip", "netns", "exec", ns, ...argv], opts);
  }

  /** Write a file under the run directory; returns its absolute path. */
  file(rel: string, text: string): string {
    const abs = join(this.dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    return abs;
  }

  /** Start a long-running process in a namespace, recorded for teardown; its output goes to a log file. */
  daemon(spec: DaemonSpec): Daemon {
    this.own(spec.ns);
    const logFile = join(this.dir, "logs", `${spec.what.replace(/[^A-Za-z0-9_.@-]/g, "_")}.log`);
    mkdirSync(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, "a");
    const inNs = ["ip", "netns", "exec", spec.ns];
    const argv = spec.mountSetup
      ? ["unshare", "-m", "--propagation", "private", ...inNs, "sh", "-ec", `${spec.mountSetup.join("\n")}\nshift ${spec.mountArgs?.length ?? 0}\nexec "$@"`, "sh", ...(spec.mountArgs ?? []), ...spec.argv]
      : [...inNs, ...spec.argv];
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", fd, fd], env: { ...process.env, ...spec.env } });
    closeSync(fd);
    child.on("error", () => {});
    child.unref();
    if (!child.pid) throw new LabError(`could not start ${spec.what}: ${argv[0]} did not run`);
    const ref: ProcRef = procRef(child.pid, spec.what);
    this.state.processes.push(ref);
    this.save();
    return {
      pid: child.pid,
      ns: spec.ns,
      what: spec.what,
      logFile,
      log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
      running: () => alive(ref),
    };
  }

  /** Leave the lab up on purpose: the guardian stops watching, `teardownRun(id)` removes it later. */
  keep(): void {
    this.state.status = "kept";
    this.save();
  }

  get kept(): boolean {
    return this.state.status === "kept";
  }

  teardown(): TeardownReport {
    this.state.status = "done";
    if (existsSync(this.dir)) this.save();
    return teardownRun(this.id);
  }

  private own(ns: string): void {
    if (!this.state.namespaces.includes(ns)) throw new LabError(`internal: namespace ${ns} is not part of run ${this.id}`);
  }
}

/**
 * Run `fn` with a fresh lab run, and tear it down however `fn` ends: return, throw, SIGINT,
 * SIGTERM or SIGHUP (the handlers tear down synchronously, then exit 128+signal). SIGKILL is the
 * guardian's job. With `keep` returning true, the run is left up instead.
 */
export async function withRun<T>(fn: (run: LabRun) => Promise<T>, opts: { keep?: (result: T) => boolean; onSignal?: (sig: NodeJS.Signals) => void } = {}): Promise<{ result: T; run: LabRun; teardown?: TeardownReport }> {
  const labRun = LabRun.create();
  const signals: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
  const handlers = Object.keys(signals).map((sig) => {
    const h = () => {
      opts.onSignal?.(sig as NodeJS.Signals);
      try {
        labRun.teardown();
      } finally {
        process.exit(128 + signals[sig]!);
      }
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    const result = await fn(labRun);
    if (opts.keep?.(result)) {
      labRun.keep();
      return { result, run: labRun };
    }
    return { result, run: labRun, teardown: labRun.teardown() };
  } finally {
    if (!labRun.kept && existsSync(labRun.dir) && readState(labRun.dir)?.status === "running") labRun.teardown();
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
