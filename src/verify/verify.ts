/**
 * topo verify: compile (or take an already compiled tree), bring the generated hosts up in a lab
 * of network namespaces with the real daemons, probe the intended reachability matrix and the
 * topology's expectations there, and compare. Always tears the lab down (unless --keep).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { compileFile } from "../compile.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { originLines, withLines } from "../ir/origin.js";
import type { ExpectationIR, TopologyIR } from "../ir/types.js";
import { intentMatrix, labMatrix, type IntentCell } from "../policy/intent.js";
import {
  bringUp,
  checkRequirements,
  COMPONENTS,
  LabError,
  labRequirements,
  prepareSources,
  recoverStaleRuns,
  runProbes,
  SERVED_PORTS,
  servedKey,
  startListeners,
  withRun,
  type Finding,
  type LabComponent,
  type LabContext,
  type LabRun,
  type Probe,
} from "../lab/index.js";

export interface VerifyOptions {
  readonly file: string;
  /** Instantiate this already compiled tree instead of compiling afresh. */
  readonly tree?: string;
  readonly host?: string;
  readonly keep?: boolean;
  /** Probe the adversarial cells too (spoofed and renumbered sources, a VM at the host's other addresses); default true. */
  readonly adversarial?: boolean;
  readonly components?: readonly LabComponent[];
  /** Progress messages (phases, probe counts). */
  readonly progress?: (p: Progress) => void;
}

export type Progress = { kind: "phase"; phase: string } | { kind: "probes"; done: number; total: number };

export interface CellOutcome {
  readonly from: string;
  readonly to: string;
  readonly proto: "tcp" | "udp" | "icmp";
  readonly port?: number;
  readonly address?: string;
  /** Adversarial cells: how this one is tried (see IntentCell.variant). */
  readonly variant?: string;
  /** The source address sent from, when not the endpoint's own (spoofed or renumbered). */
  readonly source?: string;
  readonly expected: boolean;
  readonly observed: boolean;
  readonly ok: boolean;
  readonly reason: string;
  /** What the failing probe said. */
  readonly detail?: string;
  /** Indexes of the topology's expectations this cell proves. */
  readonly expectations: readonly number[];
}

export interface ExpectationOutcome {
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly proto: string;
  readonly port?: number;
  readonly reach: boolean;
  readonly line?: number;
  readonly status: "proved" | "failed" | "not-in-lab";
  readonly why?: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly fleet: string;
  readonly run: string;
  readonly hosts: readonly string[];
  readonly tree: string;
  readonly cells: readonly CellOutcome[];
  /** Matrix cells not probed: an endpoint that no lab component stands up yet. */
  readonly unprobed: readonly { from: string; to: string; proto: string; port?: number; missing: readonly string[]; why?: string }[];
  readonly expectations: readonly ExpectationOutcome[];
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
  readonly stale: readonly string[];
  readonly timing: { compileMs: number; upMs: number; probeMs: number; teardownMs: number; totalMs: number };
  readonly kept?: { readonly namespaces: readonly string[]; readonly teardown: string };
}

export type VerifyOutcome =
  | { kind: "diagnostics"; diagnostics: Diagnostic[]; file: string }
  | { kind: "unavailable"; problems: string[] }
  | { kind: "lab-error"; message: string; detail?: string }
  | { kind: "done"; result: VerifyResult };

const key = (c: { from: string; to: string; proto: string; port?: number; variant?: string }) => `${c.from}|${c.to}|${c.proto}|${c.port ?? ""}${c.variant !== undefined ? `|${c.variant}` : ""}`;

export async function verify(opts: VerifyOptions): Promise<VerifyOutcome> {
  const t0 = Date.now();
  // The front end every command uses: the lock is the tree's topo.lock.json, as for compile.
  const compiled = await compileFile(opts.file);
  if (!compiled.ok) return { kind: "diagnostics", diagnostics: compiled.diagnostics, file: compiled.file };
  const { ir, plan } = compiled.compiled;
  const compileMs = Date.now() - t0;

  const components = opts.components ?? COMPONENTS;
  const problems = checkRequirements(labRequirements(ir, components));
  if (problems.length) return { kind: "unavailable", problems };
  if (opts.host !== undefined && !ir.hosts.some((h) => h.name === opts.host)) {
    return { kind: "lab-error", message: `--host ${opts.host}: no such host (hosts: ${ir.hosts.map((h) => h.name).join(", ")})` };
  }
  const stale = recoverStaleRuns();

  let upMs = 0;
  let probeMs = 0;
  try {
    const { result, run, teardown } = await withRun(
      async (labRun: LabRun) => {
        const tree = opts.tree ? resolve(opts.tree) : writeTree(labRun, plan);
        const t1 = Date.now();
        const ctx = await bringUp(labRun, {
          ir,
          tree,
          ...(opts.host !== undefined ? { host: opts.host } : {}),
          components,
          onPhase: (phase) => opts.progress?.({ kind: "phase", phase }),
        });
        upMs = Date.now() - t1;
        const t2 = Date.now();
        const r = await probeMatrix(ctx, ir, opts);
        probeMs = Date.now() - t2;
        return { ...r, tree, ctx };
      },
      { keep: () => !!opts.keep },
    );
    const teardownMs = teardown?.ms ?? 0;
    if (teardown?.leftovers.length) return { kind: "lab-error", message: `teardown left ${teardown.leftovers.join(", ")}` };
    const ctx = result.ctx;
    const ok = result.cells.every((c) => c.ok) && ctx.findings.every((f) => f.severity !== "error");
    return {
      kind: "done",
      result: {
        ok,
        fleet: ir.name,
        run: run.id,
        hosts: ctx.hosts.map((h) => h.name),
        tree: result.tree,
        cells: result.cells,
        unprobed: result.unprobed,
        expectations: result.expectations,
        findings: ctx.findings,
        notes: ctx.notes,
        stale,
        timing: { compileMs, upMs, probeMs, teardownMs, totalMs: Date.now() - t0 },
        ...(opts.keep ? { kept: { namespaces: run.namespaces, teardown: `topo verify --teardown ${run.id}` } } : {}),
      },
    };
  } catch (e) {
    if (e instanceof LabError) return { kind: "lab-error", message: e.message, ...(e.detail ? { detail: e.detail } : {}) };
    throw e;
  }
}

/** The freshly compiled tree, written inside the run's directory (never next to the topology). */
function writeTree(run: LabRun, plan: ReadonlyMap<string, string>): string {
  const root = join(run.dir, "tree");
  for (const [p, text] of plan) {
    const abs = join(root, p);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  return root;
}

interface Planned {
  readonly cell: Omit<CellOutcome, "observed" | "ok" | "detail" | "address">;
  readonly probe?: Probe;
  readonly missingAddress?: boolean;
}

async function probeMatrix(ctx: LabContext, ir: TopologyIR, opts: VerifyOptions) {
  const matrix = opts.adversarial === false ? intentMatrix(ir) : labMatrix(ir);
  const hostOf = new Map(matrix.endpoints.map((e) => [e.id, e.host]));
  const relevant = (id: string) => !opts.host || id === opts.host || id.startsWith(`${opts.host}.`) || hostOf.get(id) === opts.host || hostOf.get(id) === "*";
  // Reasons name topology paths (as generated comments do); the report adds their lines.
  const lines = originLines(ir);
  const expectationsOf = new Map<string, number[]>();
  ir.expectations.forEach((e, i) => expectationsOf.set(key(e), [...(expectationsOf.get(key(e)) ?? []), i]));

  // The matrix's cells, then expectations the matrix does not cover.
  const wanted: { cell: IntentCell | (ExpectationIR & { allowed: boolean; reason: string }); exp: number[] }[] = [];
  const seen = new Set<string>();
  for (const c of matrix.cells) {
    seen.add(key(c));
    wanted.push({ cell: c, exp: expectationsOf.get(key(c)) ?? [] });
  }
  ir.expectations.forEach((e, i) => {
    if (seen.has(key(e))) return;
    seen.add(key(e));
    wanted.push({ cell: { ...e, allowed: e.reach, reason: `expectation ${e.origin.path}${e.origin.line ? ` (${ir.source}:${e.origin.line})` : ""}` }, exp: expectationsOf.get(key(e)) ?? [i] });
  });

  const planned: Planned[] = [];
  const unprobed: VerifyResult["unprobed"][number][] = [];
  for (const { cell, exp } of wanted) {
    if (!relevant(cell.from) || !relevant(cell.to)) continue;
    const from = ctx.endpoints.get(cell.from);
    const to = ctx.endpoints.get(cell.to);
    if (!from || !to) {
      unprobed.push({ from: cell.from, to: cell.to, proto: cell.proto, ...(cell.port !== undefined ? { port: cell.port } : {}), missing: [!from ? cell.from : "", !to ? cell.to : ""].filter(Boolean) });
      continue;
    }
    const held = cell.port !== undefined ? (ctx.shared.get(SERVED_PORTS) as Map<string, string> | undefined)?.get(servedKey(to.ns, cell.proto, cell.port)) : undefined;
    if (held) {
      unprobed.push({ from: cell.from, to: cell.to, proto: cell.proto, port: cell.port!, missing: [], why: `${cell.proto}/${cell.port} on ${cell.to} is held by ${held}` });
      continue;
    }
    const source = "source" in cell ? cell.source : undefined;
    const variant = "variant" in cell ? cell.variant : undefined;
    const base = {
      from: cell.from,
      to: cell.to,
      proto: cell.proto,
      ...(cell.port !== undefined ? { port: cell.port } : {}),
      ...(variant !== undefined ? { variant } : {}),
      ...(source ? { source: source.address } : {}),
      expected: cell.allowed,
      reason: withLines(cell.reason, lines),
      expectations: exp,
    };
    const address = ("toAddress" in cell ? cell.toAddress : undefined) ?? to.address();
    if (!address) planned.push({ cell: base, missingAddress: true });
    else planned.push({ cell: base, probe: { fromNs: from.ns, toNs: to.ns, address, proto: cell.proto, ...(cell.port !== undefined ? { port: cell.port } : {}), ...(source ? { source } : {}) } });
  }

  const probes = planned.filter((p) => p.probe).map((p) => p.probe!);
  await startListeners(ctx.run, probes);
  prepareSources(ctx.run, probes);
  opts.progress?.({ kind: "probes", done: 0, total: probes.length });
  const results = await runProbes(ctx.run, probes, { onDone: (done, total) => opts.progress?.({ kind: "probes", done, total }) });
  let k = 0;
  const cells: CellOutcome[] = planned.map((p) => {
    if (!p.probe) return { ...p.cell, observed: false, ok: !p.cell.expected, detail: `${p.cell.to} has no address in the lab` };
    const r = results[k++]!;
    return { ...p.cell, address: p.probe.address, observed: r.reached, ok: r.reached === p.cell.expected, ...(r.reached === p.cell.expected ? {} : { detail: r.detail || (r.reached ? "reached" : "no answer") }) };
  });

  const byKey = new Map(cells.map((c) => [key(c), c]));
  const expectations: ExpectationOutcome[] = ir.expectations.map((e, i) => {
    const c = byKey.get(key(e));
    const base = { index: i, from: e.from, to: e.to, proto: e.proto, ...(e.port !== undefined ? { port: e.port } : {}), reach: e.reach, ...(e.origin.line ? { line: e.origin.line } : {}) };
    if (!c) {
      const u = unprobed.find((x) => key(x) === key(e));
      return { ...base, status: "not-in-lab" as const, why: u ? (u.why ?? `no lab component stands up ${u.missing.join(" and ")} yet`) : opts.host ? `outside --host ${opts.host}` : "not probed" };
    }
    return { ...base, status: c.observed === e.reach ? ("proved" as const) : ("failed" as const) };
  });
  return { cells, unprobed, expectations };
}
