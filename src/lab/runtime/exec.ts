/**
 * Running the lab's tools: synchronous for short commands whose failure must stop the run (ip,
 * nft, sysctl), asynchronous with a hard timeout for probes that run in parallel. Every command is
 * an argv, never a shell line built from strings.
 */
import { spawn, spawnSync } from "node:child_process";

export interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A failure of the lab's own plumbing or of a real component: the message names the command. */
export class LabError extends Error {
  constructor(message: string, readonly detail?: string) {
    super(message);
  }
}

export function run(argv: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Ran {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd!, args, { input: opts.input, encoding: "utf8", timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env });
  if (r.error) return { status: -1, stdout: r.stdout ?? "", stderr: String(r.error.message) };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Run, and throw a LabError carrying the tool's own message when it fails. */
export function must(argv: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): string {
  const r = run(argv, opts);
  if (r.status !== 0) throw new LabError(`\`${argv.join(" ")}\` failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Asynchronous run with a hard timeout (the child is killed, never left behind). */
export function runAsync(argv: readonly string[], opts: { input?: string; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd!, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ status: -1, stdout, stderr: stderr + String(e.message) });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout, stderr });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
