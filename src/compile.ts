/**
 * The pipeline, end to end but for the two ends that touch the world:
 *   (loaded value) -> validate -> rules -> resolve (IR) -> lower (views) -> render/plan (bytes).
 * Pure: the same loaded value and lock give the same plan, and nothing here writes.
 */
import { basename, isAbsolute, relative } from "node:path";
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
  /** Where the tree goes; headers name the topology file relative to it (see `sourceName`). */
  readonly outDir: string;
  /** The current topo.lock.json, if any. */
  readonly lockText?: string;
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
  const locator = createLocator(loaded.file, loaded.source);
  const v = validate(loaded.value);
  if (!v.ok) return { ok: false, diagnostics: locate(v.diagnostics, locator) };
  let previous: LockFile;
  try {
    previous = parseLock(opts.lockText);
  } catch (e) {
    return { ok: false, diagnostics: [{ code: "TOPO1001", severity: "error", path: [], message: (e as Error).message, hint: "restore topo.lock.json from git, or delete it to allocate afresh" }] };
  }
  const diags = runRules(v.value, RULES, { lock: previous });
  if (hasErrors(diags)) return { ok: false, diagnostics: locate(diags, locator) };
  const name = sourceName(loaded.file, opts.outDir);
  // Resolve reads the previous allocations and records the ones to keep: that is the new lock.
  const lock = new LockBuilder(previous);
  const r = resolve(v.value, { sourceName: name, locator, lock });
  const late = [...r.diagnostics, ...checkExpectations(r.ir)];
  if (hasErrors(late)) return { ok: false, diagnostics: locate([...diags, ...late], locator) };
  return { ok: true, ir: r.ir, lock: lock.result(), warnings: locate([...diags, ...late], locator) };
}

export function compile(loaded: Loaded, opts: CompileOptions): CompileResult {
  const front = analyze(loaded, opts);
  if (!front.ok) return front;
  const { ir, lock, warnings } = front;
  const hosts = lowerFleet(ir);
  const plan = withManifest(planTree(ir, hosts, printLock(lock, ir.source)), ir.source);
  return { ok: true, compiled: { ir, hosts, lock, plan, warnings } };
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
