/**
 * The pipeline, end to end but for the two ends that touch the world:
 *   (loaded value) -> validate -> rules -> resolve (IR) -> lower (views) -> render/plan (bytes).
 * Pure: the same loaded value and lock give the same plan, and nothing here writes.
 */
import { basename, dirname, isAbsolute, relative, resolve as resolvePath } from "node:path";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diag/diagnostic.js";
import { checkExpectations } from "./policy/expectations.js";
import { RULES, runRules } from "./check/rules/index.js";
import { resolve } from "./check/resolve.js";
import { validate } from "./check/validate.js";
import type { TopologyIR } from "./ir/types.js";
import { LockBuilder, parseLock, printLock, type LockFile } from "./ir/lock.js";
import { createLocator, type Locator } from "./load/locate.js";
import { loadTopology, type Loaded } from "./load/load-topology.js";
import { readLockText } from "./load/lock-file.js";
import { lowerFleetFiles } from "./lower/fleet/index.js";
import { lowerFleet } from "./lower/host.js";
import type { HostView } from "./render/views.js";
import { planTree, type EmitPlan } from "./render/plan.js";
import { withManifest } from "./emit/write.js";

export interface CompileOptions {
  /** Where the tree goes; headers name the topology file relative to it (see `sourceName`). */
  readonly outDir: string;
  /** The current topo.lock.json, if any. */
  readonly lockText?: string;
  /** When given, each stage adds its wall time here in ms (the bench reads it). */
  readonly timings?: Record<string, number>;
}

function timed<T>(timings: Record<string, number> | undefined, stage: string, f: () => T): T {
  if (!timings) return f();
  const t0 = performance.now();
  try {
    return f();
  } finally {
    timings[stage] = (timings[stage] ?? 0) + performance.now() - t0;
  }
}

export interface Compiled {
  readonly ir: TopologyIR;
  readonly hosts: readonly HostView[];
  readonly lock: LockFile;
  /** Every file topo owns after this compile, manifest included. */
  readonly plan: EmitPlan;
  readonly warnings: Diagnostic[];
}

export type CompileResult = { ok: true; compiled: Compiled } | { ok: false; diagnostics: Diagnostic[] };

/** validate + rules + resolve: the front end, shared by compile, validate and the later tools. */
export function analyze(loaded: Loaded, opts: CompileOptions): { ok: true; ir: TopologyIR; lock: LockFile; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] } {
  const t = opts.timings;
  const locator = timed(t, "locate", () => createLocator(loaded.file, loaded.source));
  const v = timed(t, "validate", () => validate(loaded.value));
  if (!v.ok) return { ok: false, diagnostics: locate(v.diagnostics, locator) };
  let previous: LockFile;
  try {
    previous = parseLock(opts.lockText);
  } catch (e) {
    return { ok: false, diagnostics: [{ code: "TOPO1001", severity: "error", path: [], message: (e as Error).message, hint: "restore topo.lock.json from git, or delete it to allocate afresh" }] };
  }
  const diags = timed(t, "rules", () => runRules(v.value, RULES, { lock: previous }));
  if (hasErrors(diags)) return { ok: false, diagnostics: locate(diags, locator) };
  const name = sourceName(loaded.file, opts.outDir);
  // Resolve reads the previous allocations and records the ones to keep: that is the new lock.
  const lock = new LockBuilder(previous);
  const r = timed(t, "resolve", () => resolve(v.value, { sourceName: name, locator, lock }));
  const late = [...r.diagnostics, ...timed(t, "expectations", () => checkExpectations(r.ir))];
  if (hasErrors(late)) return { ok: false, diagnostics: locate([...diags, ...late], locator) };
  return { ok: true, ir: r.ir, lock: lock.result(), warnings: locate([...diags, ...late], locator) };
}

/** Where a command's topology, tree and lock are: the output directory defaults to the topology's. */
export interface FrontEndOptions {
  readonly out?: string;
}

export interface Analyzed {
  readonly loaded: Loaded;
  /** The generated tree's directory; its topo.lock.json is the lock every command reads. */
  readonly outDir: string;
  readonly lockText?: string;
  readonly ir: TopologyIR;
  readonly lock: LockFile;
  readonly warnings: Diagnostic[];
}

export type FrontEndResult = { ok: true; analyzed: Analyzed } | { ok: false; diagnostics: Diagnostic[]; file: string };

/**
 * The front end of every command: load the topology, read the lock from the tree, analyze.
 * compile, validate, ir, graph, diff, verify and keys all start here, so they agree on what the
 * topology means (and on where its lock is).
 */
export async function frontEnd(file: string, opts: FrontEndOptions = {}): Promise<FrontEndResult> {
  const p = await prepare(file, opts);
  if (!p.ok) return p;
  const { loaded, outDir, lockText } = p.prepared;
  const r = analyze(loaded, { outDir, ...(lockText !== undefined ? { lockText } : {}) });
  if (!r.ok) return { ok: false, diagnostics: r.diagnostics, file: loaded.file };
  return { ok: true, analyzed: { loaded, outDir, ...(lockText !== undefined ? { lockText } : {}), ir: r.ir, lock: r.lock, warnings: r.warnings } };
}

export interface Prepared {
  readonly loaded: Loaded;
  readonly outDir: string;
  readonly lockText?: string;
}

/** The front end's first half: the loaded topology and the text of the tree's lock. */
export async function prepare(file: string, opts: FrontEndOptions = {}): Promise<{ ok: true; prepared: Prepared } | { ok: false; diagnostics: Diagnostic[]; file: string }> {
  const l = await loadTopology(file);
  if (!l.ok) return { ok: false, diagnostics: l.diagnostics, file: l.file };
  const outDir = resolvePath(opts.out ?? dirname(l.loaded.file));
  const { lockText } = readLockText(outDir);
  return { ok: true, prepared: { loaded: l.loaded, outDir, ...(lockText !== undefined ? { lockText } : {}) } };
}

/** The back end of an analyzed topology: lowered hosts and the planned tree. */
export function compileAnalyzed(a: Analyzed): CompileResult {
  return backEnd(a);
}

/** The front end, then the back end: what `topo compile`, `topo diff` and `topo verify` build. */
export async function compileFile(file: string, opts: FrontEndOptions = {}): Promise<(CompileResult & { file: string; outDir?: string })> {
  const f = await frontEnd(file, opts);
  if (!f.ok) return f;
  return { ...backEnd(f.analyzed), file: f.analyzed.loaded.file, outDir: f.analyzed.outDir };
}

function backEnd(front: { ir: TopologyIR; lock: LockFile; warnings: Diagnostic[] }, t?: Record<string, number>): CompileResult {
  const { ir, lock, warnings } = front;
  const hosts = timed(t, "lower", () => lowerFleet(ir));
  const fleetWarnings: Diagnostic[] = [];
  const tree = timed(t, "render+plan", () => planTree(ir, hosts, printLock(lock, ir.source), lowerFleetFiles(ir, hosts, fleetWarnings)));
  const plan = timed(t, "manifest", () => withManifest(tree, ir.source));
  return { ok: true, compiled: { ir, hosts, lock, plan, warnings: [...warnings, ...fleetWarnings] } };
}

export function compile(loaded: Loaded, opts: CompileOptions): CompileResult {
  const front = analyze(loaded, opts);
  return front.ok ? backEnd(front, opts.timings) : front;
}

function locate(diags: Diagnostic[], locator: Locator): Diagnostic[] {
  for (const d of diags) {
    d.span = locator.locate(d.path);
    for (const r of d.related ?? []) r.span = locator.locate(r.path);
  }
  return sortDiagnostics(diags);
}

/**
 * How generated files name the topology: its path relative to the tree when the tree contains it,
 * else its file name, so `--out` elsewhere never writes `../../..` or a machine path into a file.
 */
export function sourceName(file: string, outDir: string): string {
  const rel = relative(outDir, file).split("\\").join("/");
  return rel && !rel.startsWith("../") && !isAbsolute(rel) ? rel : basename(file);
}
