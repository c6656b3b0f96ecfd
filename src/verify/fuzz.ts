/**
 * topo fuzz: random mixed fleets (src/lab/fuzz/fleet.ts), each written as a topology.json and put
 * through validate, compile and `topo verify`. Every fleet that does not verify cleanly gets one
 * line with its seed and its fleet file: the reproducer. Classified so a reader can tell the
 * generator's fault (the model rejects the fleet) from topo's (a crash, a mismatch, a complaint).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile } from "../compile.js";
import { loadTopology } from "../load/load-topology.js";
import type { TopologyInput } from "../model/topology.js";
import { ALL_CONCEPTS, fleetLock, generateFleet, type FleetShape } from "../lab/index.js";
import { formatReport, mismatch } from "./report.js";
import { verify, type CellOutcome, type VerifyResult } from "./verify.js";

export type FuzzStatus = "pass" | "fail" | "invalid" | "crash" | "lab-error";

export interface FuzzOutcome {
  readonly seed: number;
  readonly file: string;
  /** The concepts left out (--without), when some were. */
  readonly shape?: string;
  readonly status: FuzzStatus;
  readonly mismatches: number;
  readonly complaints: number;
  /** One line: what went wrong first. */
  readonly first?: string;
  /** Mismatch classes of this fleet (see mismatchClass). */
  readonly classes: readonly string[];
  readonly cells: number;
  readonly ms: number;
  readonly result?: VerifyResult;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** Where the fleets (and reports of failures) are written. */
  readonly out: string;
  readonly shape?: FleetShape;
  /** Validate and compile only; no lab (fast: finds crashes and generator bugs). */
  readonly compileOnly?: boolean;
  readonly onOutcome?: (o: FuzzOutcome) => void;
}

/** Write the fleet of one seed and return its path. */
export function writeFleet(out: string, seed: number, shape: FleetShape = ALL_CONCEPTS): string {
  const dir = resolve(out, `seed-${seed}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "topology.json");
  const topo = generateFleet(seed, shape);
  writeFileSync(file, JSON.stringify(topo, null, 2) + "\n");
  writeFileSync(join(dir, "topo.lock.json"), fleetLock(topo));
  return file;
}

/** What an endpoint id is, for grouping mismatches: host, container, vm or the external it names. */
export function endpointKind(id: string, vms: ReadonlySet<string>): string {
  if (id.startsWith("external.")) {
    const rest = id.slice("external.".length);
    if (rest === "wan") return "wan";
    if (rest.endsWith("-admin")) return "admin";
    if (rest.endsWith("-metadata")) return "metadata";
    if (rest.includes(".route:")) return "route";
    if (rest.split(".").length === 3) return "vpn-client";
    return rest.includes(".") ? (/\.(warp|wg|tun)/.test(rest) ? "beyond-tunnel" : "lan") : "external";
  }
  if (!id.includes(".")) return "host";
  return vms.has(id) ? "vm" : "container";
}

/** A mismatch's class: kinds of both ends, service kind and the two verdicts (e.g. "vm -> host udp: expected blocked, observed reach"). */
export function mismatchClass(c: CellOutcome, vms: ReadonlySet<string>): string {
  const adversarial = /^(spoofed|renumbered)/.exec(c.reason)?.[1];
  return `${adversarial ? `${adversarial} ` : ""}${endpointKind(c.from, vms)} -> ${endpointKind(c.to, vms)} ${c.proto}: expected ${c.expected ? "reach" : "blocked"}, observed ${c.observed ? "reach" : "blocked"}`;
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzOutcome[]> {
  const outcomes: FuzzOutcome[] = [];
  for (let seed = opts.seed; seed < opts.seed + opts.count; seed++) {
    const o = await fuzzOne(seed, opts);
    outcomes.push(o);
    opts.onOutcome?.(o);
  }
  return outcomes;
}

async function fuzzOne(seed: number, opts: FuzzOptions): Promise<FuzzOutcome> {
  const t0 = Date.now();
  const file = writeFleet(opts.out, seed, opts.shape);
  const base = { seed, file, mismatches: 0, complaints: 0, classes: [], cells: 0 };
  const without = Object.entries(opts.shape ?? ALL_CONCEPTS).filter(([, on]) => !on).map(([k]) => k).join(",");
  const done = (o: Omit<FuzzOutcome, "seed" | "file" | "ms">): FuzzOutcome => ({ ...o, seed, file, ...(without ? { shape: without } : {}), ms: Date.now() - t0 });
  try {
    if (opts.compileOnly) {
      const loaded = await loadTopology(file);
      if (!loaded.ok) return done({ ...base, status: "invalid", first: firstDiagnostic(loaded.diagnostics) });
      const c = compile(loaded.loaded, { outDir: resolve(file, ".."), lockText: readFileSync(join(resolve(file, ".."), "topo.lock.json"), "utf8") });
      if (!c.ok) return done({ ...base, status: "invalid", first: firstDiagnostic(c.diagnostics) });
      return done({ ...base, status: "pass" });
    }
    const v = await verify({ file, adversarial: true });
    switch (v.kind) {
      case "diagnostics":
        return done({ ...base, status: "invalid", first: firstDiagnostic(v.diagnostics) });
      case "unavailable":
        return done({ ...base, status: "lab-error", first: v.problems.join("; ") });
      case "lab-error":
        return done({ ...base, status: "lab-error", first: v.message });
      case "done": {
        const r = v.result;
        const vms = vmEndpointIds(generateFleet(seed, opts.shape ?? ALL_CONCEPTS));
        const bad = r.cells.filter((c) => !c.ok);
        const complaints = r.findings.filter((f) => f.severity === "error");
        if (r.ok) return done({ ...base, status: "pass", cells: r.cells.length, result: r });
        writeFileSync(join(resolve(file, ".."), "report.txt"), formatReport(r) + "\n");
        const first = bad[0] ? mismatch(bad[0]) : complaints[0] ? `${complaints[0].component}${complaints[0].host ? `@${complaints[0].host}` : ""}: ${complaints[0].message}` : undefined;
        return done({
          ...base,
          status: "fail",
          mismatches: bad.length,
          complaints: complaints.length,
          cells: r.cells.length,
          classes: [...new Set([...bad.map((c) => mismatchClass(c, vms)), ...complaints.map((f) => `complaint ${f.component}: ${f.message.replace(/\d+(\.\d+){0,3}/g, "N").slice(0, 80)}`)])].sort(),
          ...(first ? { first } : {}),
          result: r,
        });
      }
    }
  } catch (e) {
    return done({ ...base, status: "crash", first: ((e as Error).stack ?? String(e)).split("\n").slice(0, 3).join(" | ") });
  }
}

/** The VM endpoint ids of a fleet ("<host>.<vm>"), to tell VMs from containers in classes. */
function vmEndpointIds(topo: TopologyInput): Set<string> {
  return new Set(Object.entries(topo.hosts).flatMap(([h, host]) => Object.keys(host.vmNetwork?.vms ?? {}).map((vm) => `${h}.${vm}`)));
}

function firstDiagnostic(ds: readonly { code: string; message: string; path: readonly (string | number)[] }[]): string {
  const d = ds[0];
  return d ? `${d.code} at ${d.path.join(".")}: ${d.message}` : "no diagnostic";
}

/** One line per fleet; a failure carries its reproducer. */
export function outcomeLine(o: FuzzOutcome): string {
  const secs = `${(o.ms / 1000).toFixed(1)} s`;
  if (o.status === "pass") return `PASS   seed ${o.seed}: ${o.cells} cells (${secs})`;
  const what =
    o.status === "fail"
      ? `${o.mismatches} mismatch${o.mismatches === 1 ? "" : "es"}, ${o.complaints} complaint${o.complaints === 1 ? "" : "s"}`
      : o.status === "invalid"
        ? "the model rejects the generated fleet (a generator bug)"
        : o.status === "crash"
          ? "topo crashed (exit 70)"
          : "the lab failed";
  return `${o.status.toUpperCase().padEnd(6)} seed ${o.seed}: ${what}${o.first ? `; first: ${o.first}` : ""}\n       reproduce: npm run fuzz -- --seed ${o.seed} --count 1${o.shape ? ` --without ${o.shape}` : ""}   (fleet: ${o.file}; or: npx topo verify ${o.file})`;
}

export function summaryLines(opts: { seed: number; count: number }, outcomes: readonly FuzzOutcome[]): string[] {
  const n = (s: FuzzStatus) => outcomes.filter((o) => o.status === s).length;
  const mism = outcomes.reduce((a, o) => a + o.mismatches, 0);
  const compl = outcomes.reduce((a, o) => a + o.complaints, 0);
  const lines = [
    `fuzz: ${outcomes.length} fleets, seeds ${opts.seed}..${opts.seed + opts.count - 1}: ${n("pass")} passed, ${n("fail")} failed (${mism} mismatches, ${compl} complaints), ${n("invalid")} invalid, ${n("crash")} crashed, ${n("lab-error")} lab errors`,
  ];
  const classes = new Map<string, number[]>();
  for (const o of outcomes) for (const c of o.classes) classes.set(c, [...(classes.get(c) ?? []), o.seed]);
  if (classes.size) {
    lines.push("mismatch classes (seeds):");
    for (const [c, seeds] of [...classes].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))) lines.push(`  ${c}  (${seeds.join(", ")})`);
  }
  return lines;
}
