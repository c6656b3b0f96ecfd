/**
 * Probes: ICMP echo with ping, TCP and UDP with socat, each from the source endpoint's namespace
 * to listeners the run starts in the destination's namespace. A listener answers with the run's
 * token, so only a real round trip to OUR listener counts as reached. Every probe is bounded
 * (2 attempts, about a second each, hard-killed after 5 s) and they run in parallel.
 */
import { LabError, runAsync, sleep } from "../runtime/exec.js";
import type { Daemon, LabRun } from "../runtime/run.js";

export type ProbeProto = "icmp" | "tcp" | "udp";

export interface Probe {
  readonly fromNs: string;
  readonly toNs: string;
  readonly address: string;
  readonly proto: ProbeProto;
  readonly port?: number;
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

/** Start one listener per (namespace, proto, port) that TCP/UDP probes aim at, and wait until each listens. */
export async function startListeners(run: LabRun, probes: readonly Probe[]): Promise<Daemon[]> {
  const want = new Map<string, { ns: string; proto: "tcp" | "udp"; port: number }>();
  for (const p of probes) {
    if (p.proto === "icmp" || p.port === undefined) continue;
    want.set(`${p.toNs}/${p.proto}/${p.port}`, { ns: p.toNs, proto: p.proto, port: p.port });
  }
  const token = tokenOf(run);
  const daemons: Daemon[] = [];
  for (const l of [...want.values()].sort((a, b) => (a.ns + a.proto + a.port < b.ns + b.proto + b.port ? -1 : 1))) {
    // UDP: read the datagram before answering; an `echo` that exits first makes socat's write of
    // the datagram fail (EPIPE) and, racing, lose the answer.
    const [addr, answer] = l.proto === "tcp" ? [`TCP4-LISTEN:${l.port},fork,reuseaddr`, `EXEC:echo ${token}`] : [`UDP4-RECVFROM:${l.port},fork`, `SYSTEM:read -r _; echo ${token}`];
    daemons.push(run.daemon({ ns: l.ns, what: `listen-${l.ns.slice(run.id.length + 1)}-${l.proto}${l.port}`, argv: ["socat", "-T", "2", addr, answer] }));
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
  switch (p.proto) {
    case "icmp":
      return { argv: [...ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-n", "-q", p.address] };
    case "tcp":
      return { argv: [...ns, "socat", "-T", "2", "STDIO", `TCP4:${p.address}:${p.port},connect-timeout=1`], input: "" };
    case "udp":
      return { argv: [...ns, "socat", "-T", "1", "STDIO", `UDP4:${p.address}:${p.port}`], input: "probe\n" };
  }
}

export async function probeOnce(run: LabRun, p: Probe): Promise<ProbeResult> {
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
