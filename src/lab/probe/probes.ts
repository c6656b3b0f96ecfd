/**
 * Probes: ICMP echo with ping, TCP and UDP with socat, each from the source endpoint's namespace
 * to listeners the run starts in the destination's namespace. A listener answers with the run's
 * token, so only a real round trip to OUR listener counts as reached. Every probe is bounded
 * (2 attempts, about a second each, hard-killed after 5 s) and they run in parallel.
 */
import { existsSync, readFileSync } from "node:fs";
import { LabError, runAsync, sleep } from "../runtime/exec.js";
import type { Daemon, LabRun } from "../runtime/run.js";

export type ProbeProto = "icmp" | "tcp" | "udp";

export interface Probe {
  readonly fromNs: string;
  readonly toNs: string;
  readonly address: string;
  readonly proto: ProbeProto;
  readonly port?: number;
  /**
   * Send from this address (with prefix) instead of the namespace's own. spoofed: the sender does
   * not hold it, answers go elsewhere, so reached means the destination's listener received the
   * datagram (UDP only); otherwise the sender holds it (a renumbered guest) and answers come back.
   */
  readonly source?: { readonly address: string; readonly spoofed: boolean };
}

export interface ProbeResult {
  readonly reached: boolean;
  /** What the last attempt said (for a mismatch report). */
  readonly detail: string;
}

const ATTEMPTS = 2;
const HARD_TIMEOUT_MS = 5000;

/**
 * `ctx.shared` key: ports a real daemon of the lab holds (`"<ns> <proto>/<port>"` -> who, e.g.
 * wireguard-go on a WireGuard listen port). No listener can stand there, and the daemon answers no
 * probe, so verify lists such cells as not probed instead of guessing.
 */
export const SERVED_PORTS = "probe.servedPorts";
export const servedKey = (ns: string, proto: string, port: number) => `${ns} ${proto}/${port}`;

/** The token listeners answer with: the run id, so no stray service can pass for a listener. */
export const tokenOf = (run: LabRun) => `${run.id}-ok`;

/** Where a UDP listener records the datagrams it received (a spoofed probe looks for its own there). */
const received = (run: LabRun, ns: string, port: number) => `${run.dir}/probe-rx-${ns.slice(run.id.length + 1)}-udp${port}`;

/** Start one listener per (namespace, proto, port) that TCP/UDP probes aim at, and wait until each listens. */
export async function startListeners(run: LabRun, probes: readonly Probe[]): Promise<Daemon[]> {
  // A UDP answer leaves from the address the request went to only if the listener is bound to it
  // (a wildcard socket answers from the address routing picks, and the prober's connected socket
  // drops that): one UDP listener per local address probed, a wildcard one for the others.
  const want = new Map<string, { ns: string; proto: "tcp" | "udp"; port: number; bind?: string }>();
  const local = new Map<string, Set<string>>();
  const localTo = (ns: string) => {
    let set = local.get(ns);
    if (!set) {
      const j = JSON.parse(run.tryExec(ns, ["ip", "-j", "-4", "addr", "show"]).stdout || "[]") as { addr_info?: { local: string }[] }[];
      local.set(ns, (set = new Set(j.flatMap((i) => (i.addr_info ?? []).map((a) => a.local)))));
    }
    return set;
  };
  for (const p of probes) {
    if (p.proto === "icmp" || p.port === undefined) continue;
    const bind = p.proto === "udp" && localTo(p.toNs).has(p.address) ? p.address : undefined;
    want.set(`${p.toNs}/${p.proto}/${p.port}/${bind ?? "*"}`, { ns: p.toNs, proto: p.proto, port: p.port, ...(bind ? { bind } : {}) });
  }
  const token = tokenOf(run);
  const daemons: Daemon[] = [];
  for (const [, l] of [...want].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // UDP: read the datagram before answering; an `echo` that exits first makes socat's write of
    // the datagram fail (EPIPE) and, racing, lose the answer.
    // UDP records what it received: a spoofed probe's answer goes elsewhere, its delivery shows here.
    const [addr, answer] =
      l.proto === "tcp"
        ? [`TCP4-LISTEN:${l.port},fork,reuseaddr`, `EXEC:echo ${token}`]
        : [`UDP4-RECVFROM:${l.port},fork,reuseaddr${l.bind ? `,bind=${l.bind}` : ""}`, `SYSTEM:read -r l; echo "$l" >> ${received(run, l.ns, l.port)}; echo ${token}`];
    daemons.push(run.daemon({ ns: l.ns, what: `listen-${l.ns.slice(run.id.length + 1)}-${l.proto}${l.port}${l.bind ? `-${l.bind}` : ""}`, argv: ["socat", "-T", "2", addr, answer] }));
  }
  // Wait until every port is bound (ss in each namespace), or a listener died.
  const byNs = new Map<string, Set<string>>();
  for (const l of want.values()) byNs.set(l.ns, (byNs.get(l.ns) ?? new Set()).add(`${l.proto}/${l.port}`));
  const t0 = Date.now();
  for (;;) {
    const dead = daemons.filter((d) => !d.running());
    if (dead.length) throw new LabError(`listener ${dead[0]!.what} could not start: ${dead[0]!.log().trim()}`);
    let missing = 0;
    for (const [ns, ports] of byNs) {
      const r = run.tryExec(ns, ["ss", "-H", "-ltnu"]);
      const bound = new Set<string>();
      for (const line of r.stdout.split("\n")) {
        const f = line.trim().split(/\s+/);
        const port = f[4]?.split(":").pop();
        if (f[0] && port) bound.add(`${f[0]}/${port}`);
      }
      for (const p of ports) if (!bound.has(p)) missing++;
    }
    if (missing === 0) return daemons;
    if (Date.now() - t0 > 5000) throw new LabError(`${missing} listener(s) did not bind within 5 s`);
    await sleep(50);
  }
}

function argvOf(p: Probe): { argv: string[]; input?: string } {
  const ns = ["ip", "netns", "exec", p.fromNs];
  const from = p.source ? p.source.address.split("/")[0]! : undefined;
  const bind = from ? `,bind=${from}` : "";
  switch (p.proto) {
    case "icmp":
      return { argv: [...ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-n", "-q", ...(from ? ["-I", from] : []), p.address] };
    case "tcp":
      return { argv: [...ns, "socat", "-T", "2", "STDIO", `TCP4:${p.address}:${p.port},connect-timeout=1${bind}`], input: "" };
    case "udp":
      return { argv: [...ns, "socat", "-T", "1", "STDIO", `UDP4:${p.address}:${p.port}${bind}`], input: "probe\n" };
  }
}

/** Source ports of spoofed probes: the sender's lab nft table rewrites their source (see prepareSources). */
const spoofPorts = new WeakMap<Probe, number>();
const SPOOF_TABLE = "topo-lab-spoof";
const FIRST_SPOOF_PORT = 47000;

/**
 * Give each probe's sender the address it sends from. A renumbered guest takes it on the
 * interface towards the destination (a secondary address of its subnet, never chosen as a source
 * by itself). A spoofing guest does not hold it at all: each spoofed probe sends from a source
 * port of its own, and a lab table in the sender's namespace rewrites that port's source address
 * on the way out, so the guest's other traffic (and its reachability of the address it forges)
 * stays as it was.
 */
export function prepareSources(run: LabRun, probes: readonly Probe[]): void {
  const done = new Set<string>();
  const snat = new Map<string, string[]>();
  let port = FIRST_SPOOF_PORT;
  for (const p of probes) {
    if (!p.source) continue;
    if (p.source.spoofed) {
      spoofPorts.set(p, port);
      snat.set(p.fromNs, [...(snat.get(p.fromNs) ?? []), `    udp sport ${port} snat ip to ${p.source.address.split("/")[0]}`]);
      port++;
      continue;
    }
    const k = `${p.fromNs} ${p.source.address}`;
    if (done.has(k)) continue;
    done.add(k);
    const route = JSON.parse(run.exec(p.fromNs, ["ip", "-j", "route", "get", p.address]) || "[]") as { dev?: string }[];
    const dev = route[0]?.dev;
    if (!dev) throw new LabError(`no route from ${p.fromNs} to ${p.address} to renumber on`);
    run.tryExec(p.fromNs, ["ip", "addr", "add", p.source.address, "dev", dev]);
  }
  for (const [ns, rules] of snat) {
    run.exec(ns, ["nft", "-f", "-"], { input: `table ip ${SPOOF_TABLE} {\n  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n${rules.join("\n")}\n  }\n}\n` });
  }
}

/** A datagram from a source the sender does not hold: reached when the destination's listener recorded it. */
async function probeSpoofed(run: LabRun, p: Probe): Promise<ProbeResult> {
  const sport = spoofPorts.get(p);
  if (p.proto !== "udp" || p.port === undefined || sport === undefined) throw new LabError(`internal: a spoofed probe is UDP with a port, prepared by prepareSources (${p.proto})`);
  const mark = `${run.id}-spoofed-${sport}`;
  const file = received(run, p.toNs, p.port);
  const from = p.source!.address.split("/")[0]!;
  for (let i = 0; i < ATTEMPTS; i++) {
    await runAsync(["ip", "netns", "exec", p.fromNs, "socat", "-u", "STDIO", `UDP4-SENDTO:${p.address}:${p.port},sourceport=${sport},reuseaddr`], { timeoutMs: HARD_TIMEOUT_MS, input: `${mark}\n` });
    for (let t = 0; t < 10; t++) {
      await sleep(100);
      if (existsSync(file) && readFileSync(file, "utf8").includes(mark)) return { reached: true, detail: `delivered from ${from}` };
    }
  }
  return { reached: false, detail: `not delivered from ${from}` };
}

export async function probeOnce(run: LabRun, p: Probe): Promise<ProbeResult> {
  if (p.source?.spoofed) return probeSpoofed(run, p);
  const { argv, input } = argvOf(p);
  let last = "";
  for (let i = 0; i < ATTEMPTS; i++) {
    const r = await runAsync(argv, { timeoutMs: HARD_TIMEOUT_MS, ...(input !== undefined ? { input } : {}) });
    const reached = p.proto === "icmp" ? r.status === 0 : r.stdout.includes(tokenOf(run));
    if (reached) return { reached: true, detail: "" };
    last = (r.stderr.trim().split("\n").pop() ?? "").replace(/^\S+ \S+ socat\[\d+\] [A-Z] /, "") || (p.proto === "icmp" ? "no echo reply" : "no answer");
  }
  return { reached: false, detail: last };
}

/** Run probes with bounded parallelism; `onDone(done, total)` after each. */
export async function runProbes(run: LabRun, probes: readonly Probe[], opts: { concurrency?: number; onDone?: (done: number, total: number) => void } = {}): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(probes.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < probes.length) {
      const i = next++;
      results[i] = await probeOnce(run, probes[i]!);
      opts.onDone?.(++done, probes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, probes.length) }, worker));
  return results;
}
