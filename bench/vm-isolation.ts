/**
 * VM isolation at scale: topo's constant-size ruleset (sets keyed by bridge, exceptions as
 * (source, destination, protocol, port) elements) against the seed's naive generator, which
 * writes one `iifname X oifname Y drop` rule per ordered pair of VMs, N(N-1) in all.
 *
 * For 5, 50 and 250 VMs, side by side: compile time (the whole in-process pipeline, topology value
 * to every file's text; naive: the same pipeline with the seed-style matrix in place of topo's
 * nftables), rules as loaded
 * by the kernel (`nft -a list ruleset` in the namespace), and `nft -f` load time in a throwaway
 * network namespace (`unshare -n`; the namespace disappears with the process). Medians of a few runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze, compile } from "../src/compile.js";
import { planTree } from "../src/render/plan.js";
import { printLock } from "../src/ir/lock.js";
import type { VmNetworkIR } from "../src/ir/types.js";
import { lowerMicrovms, MICROVM_HOST_MODULE } from "../src/lower/microvm/guests.js";
import { lowerNetworkd } from "../src/lower/networkd/index.js";
import { lowerSystem } from "../src/lower/system.js";
import { printTableBody, wrapTable } from "../src/render/nft.js";
import type { TopologyInput } from "../src/model/topology.js";

export const SIZES = [5, 50, 250] as const;
const RUNS = 5;
const LOAD_RUNS = 3;

function topology(n: number): TopologyInput {
  const vms = Array.from({ length: n }, (_, i) => `vm${i + 1}`);
  return {
    name: "bench",
    hosts: {
      hv: {
        system: "x86_64-linux",
        stateVersion: "25.11",
        uplink: { interface: "eth0", dhcp: true },
        firewall: { allowedTCPPorts: [22], trustedInterfaces: ["tailscale0"] },
        vmNetwork: {
          adminInterface: "tailscale0",
          metadata: { address: "169.254.169.254", port: 80 },
          hostServices: [{ proto: "udp", port: 53 }],
          vms: Object.fromEntries(vms.map((v) => [v, {}])),
          // One exception per five VMs: exceptions grow with the fleet too.
          exceptions: vms.filter((_, i) => i % 5 === 0 && i + 1 < n).map((v, i) => ({ from: v, to: vms[i * 5 + 1]!, proto: "tcp" as const, port: 5432 })),
        },
      },
    },
  };
}

const loaded = (value: TopologyInput) => ({ file: "/bench/topology.json", source: JSON.stringify(value), value });

/** topo: the whole pipeline; returns the ruleset as nft -f takes it. */
function topoRuleset(value: TopologyInput): string {
  const r = compile(loaded(value), { outDir: "/bench" });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.compiled.hosts[0]!.nftTables.map((t) => wrapTable(t, printTableBody(t))).join("\n");
}

/** The seed's way: the same pipeline for every other file, then one rule per VM pair and per-VM accepts. */
function naiveRuleset(value: TopologyInput): string {
  const r = analyze(loaded(value), { outDir: "/bench" });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  const host = r.ir.hosts[0]!;
  const view = { name: host.name, modules: [lowerSystem(r.ir, host), lowerNetworkd(r.ir, host), lowerMicrovms(r.ir, host)!], nftTables: [], flakeModules: [MICROVM_HOST_MODULE] };
  planTree(r.ir, [view], printLock(r.lock, r.ir.source));
  return naiveText(host.vmNetwork!);
}

export function naiveText(net: VmNetworkIR): string {
  const br = new Map(net.vms.map((v) => [v.name, v.bridge]));
  const fwd: string[] = ["ct state established,related accept", "ct state invalid drop"];
  for (const e of net.exceptions) fwd.push(`iifname "${br.get(e.from)}" oifname "${br.get(e.to)}" ${e.proto} dport ${e.port} accept`);
  for (const a of net.vms) for (const b of net.vms) if (a !== b) fwd.push(`iifname "${a.bridge}" oifname "${b.bridge}" drop`);
  for (const v of net.vms) {
    fwd.push(`iifname "${net.adminInterface}" oifname "${v.bridge}" accept`);
    fwd.push(`iifname "${v.bridge}" oifname "${net.uplink}" accept`);
  }
  fwd.push(`log prefix "FORWARD DROP: "`);
  const input = ["ct state established,related accept", `iifname "lo" accept`, `iifname "${net.adminInterface}" accept`, "tcp dport 22 accept"];
  for (const v of net.vms) input.push(`iifname "${v.bridge}" accept`);
  const post = [`ip daddr ${net.metadata!.address} masquerade`];
  for (const v of net.vms) post.push(`ip saddr ${v.subnet} oifname "${net.uplink}" masquerade`);
  const chain = (name: string, head: string, rules: string[]) => `  chain ${name} {\n    ${head}\n${rules.map((r) => `    ${r}`).join("\n")}\n  }\n`;
  return (
    `table inet filter {\n${chain("input", "type filter hook input priority filter; policy drop;", input)}${chain("forward", "type filter hook forward priority filter; policy drop;", fwd)}}\n` +
    `table ip nat {\n${chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;", [`ip saddr 10.0.0.0/8 ip daddr ${net.metadata!.address} tcp dport ${net.metadata!.port} dnat to ${net.metadata!.address}:${net.metadata!.port}`])}${chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", post)}}\n`
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeMs(fn: () => unknown, runs = RUNS): number {
  fn(); // warm-up: the first run pays for JIT compilation
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    xs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(xs);
}

/** Load a ruleset into a throwaway namespace; the time of `nft -f` alone, and the rules the kernel holds. */
function load(dir: string, name: string, text: string): { ms: number; rules: number } {
  const f = join(dir, `${name}.nft`);
  writeFileSync(f, text);
  const xs: number[] = [];
  let rules = 0;
  for (let i = 0; i < LOAD_RUNS; i++) {
    // Time nft -f inside the namespace, so namespace creation is not counted.
    const script = `s=$(date +%s%N); nft -f ${f} || exit 1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); nft -a list ruleset`;
    const r = spawnSync("unshare", ["-n", "sh", "-c", script], { encoding: "utf8", maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`nft -f ${name} failed: ${r.stderr}`);
    const [first, ...rest] = r.stdout.split("\n");
    xs.push(Number(first) / 1000);
    rules = rest.filter((l) => /# handle \d+$/.test(l) && !/^\s*(table|chain|set|map)\b/.test(l)).length;
  }
  return { ms: median(xs), rules };
}

export interface VmIsolationRow {
  readonly vms: number;
  readonly topo: { compileMs: number; rules: number; loadMs: number };
  readonly naive: { compileMs: number; rules: number; loadMs: number };
}

export function benchVmIsolation(sizes: readonly number[] = SIZES): VmIsolationRow[] {
  const dir = mkdtempSync(join(tmpdir(), "topo-bench-"));
  try {
    return sizes.map((n) => {
      const value = topology(n);
      const topoText = topoRuleset(value);
      const naive = naiveRuleset(value);
      const topoLoad = load(dir, `topo-${n}`, topoText);
      const naiveLoad = load(dir, `naive-${n}`, naive);
      return {
        vms: n,
        topo: { compileMs: timeMs(() => topoRuleset(value)), rules: topoLoad.rules, loadMs: topoLoad.ms },
        naive: { compileMs: timeMs(() => naiveRuleset(value)), rules: naiveLoad.rules, loadMs: naiveLoad.ms },
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printVmIsolation(rows: readonly VmIsolationRow[]): string {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const ratio = (naive: number, topo: number) => `${(naive / topo).toFixed(1)}x`;
  const lines = [
    "## VM isolation: topo's set-based ruleset vs the seed's N(N-1) matrix",
    "",
    "compile: whole in-process pipeline (naive: same pipeline, seed-style matrix instead of topo's nftables); rules: as loaded by the kernel; load: `nft -f` in a fresh network namespace; medians.",
    "",
    "| VMs | compile topo ms | compile naive ms | naive/topo | rules topo | rules naive | naive/topo | nft -f topo ms | nft -f naive ms | naive/topo |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.vms} | ${f(r.topo.compileMs)} | ${f(r.naive.compileMs)} | ${ratio(r.naive.compileMs, r.topo.compileMs)} | ${r.topo.rules} | ${r.naive.rules} | ${ratio(r.naive.rules, r.topo.rules)} | ${f(r.topo.loadMs)} | ${f(r.naive.loadMs)} | ${ratio(r.naive.loadMs, r.topo.loadMs)} |`,
    );
  }
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  lines.push("", `topo's rule count from ${first.vms} to ${last.vms} VMs: ${first.topo.rules} -> ${last.topo.rules} (${first.topo.rules === last.topo.rules ? "constant" : "NOT constant"}); naive: ${first.naive.rules} -> ${last.naive.rules}.`);
  return lines.join("\n");
}

export async function benchVmIsolationReport(): Promise<void> {
  console.log(printVmIsolation(benchVmIsolation()));
}
