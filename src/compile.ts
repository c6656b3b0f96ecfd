/**
 * The pipeline, end to end but for the two ends that touch the world:
 *   (loaded value) -> validate -> rules -> resolve (IR) -> lower (views) -> render/plan (bytes).
 * Pure: the same loaded value and lock give the same plan, and nothing here writes.
 */
import { relative } from "node:path";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diag/diagnostic.js";
import { checkExpectations } from "./check/expectations.js";
import { RULES, runRules } from "./check/rules/index.js";
import { resolve } from "./check/resolve.js";
import { validate } from "./check/validate.js";
import type { TopologyIR } from "./ir/types.js";
import { LockBuilder, parseLock, printLock, type LockFile } from "./ir/lock.js";
import { createLocator, type Locator } from "./load/locate.js";
import type { Loaded } from "./load/load-topology.js";
import { lowerFleet } from "./lower/host.js";
import type { HostView } from "./lower/views.js";
import { planTree, type EmitPlan } from "./emit/plan.js";
import { withManifest } from "./emit/write.js";

export interface CompileOptions {
  /** Where the tree goes; headers name the topology file relative to it. */
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
  const sourceName = relative(opts.outDir, loaded.file).split("\\").join("/") || loaded.file;
  // Resolve reads the previous allocations and records the ones to keep: that is the new lock.
  const lock = new LockBuilder(previous);
  const r = timed(t, "resolve", () => resolve(v.value, { sourceName, locator, lock }));
  const late = [...r.diagnostics, ...timed(t, "expectations", () => checkExpectations(r.ir))];
  if (hasErrors(late)) return { ok: false, diagnostics: locate([...diags, ...late], locator) };
  return { ok: true, ir: r.ir, lock: lock.result(), warnings: locate([...diags, ...late], locator) };
}

export function compile(loaded: Loaded, opts: CompileOptions): CompileResult {
  const front = analyze(loaded, opts);
  if (!front.ok) return front;
  const { ir, lock, warnings } = front;
  const t = opts.timings;
  const hosts = timed(t, "lower", () => lowerFleet(ir));
  const tree = timed(t, "render+plan", () => planTree(ir, hosts, printLock(lock, ir.source)));
  const plan = timed(t, "manifest", () => withManifest(tree, ir.source));
  return { ok: true, compiled: { ir, hosts, lock, plan, warnings } };
}

function locate(diags: Diagnostic[], locator: Locator): Diagnostic[] {
  for (const d of diags) {
    d.span = locator.locate(d.path);
    for (const r of d.related ?? []) r.span = locator.locate(r.path);
  }
  return sortDiagnostics(diags);
}
