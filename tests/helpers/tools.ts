/**
 * The real consumers of topo's output: the Nix evaluator and nft. Tests feed them the generated
 * files; nothing here fakes a result.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { wrapTable } from "../../src/render/nft.js";
import { withTmp } from "./tmp.js";

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): Run {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: "utf8", timeout: opts.timeoutMs ?? 60_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `nix-instantiate --parse`: the file is syntactically valid Nix. */
export function nixParse(file: string): Run {
  return run("nix-instantiate", ["--parse", file]);
}

/** `nix-instantiate --eval --strict --json`: evaluate a data module without nixpkgs. */
export function nixEvalJson(file: string): unknown {
  const r = run("nix-instantiate", ["--eval", "--strict", "--json", file]);
  if (r.status !== 0) throw new Error(`nix-instantiate --eval ${file} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Write a generated tree (path -> text) under a directory. */
export function writePlan(dir: string, plan: ReadonlyMap<string, string>): void {
  for (const [p, text] of plan) {
    const abs = join(dir, p);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
}

/** `nft -c -f` in a fresh network namespace: the table (body as generated) loads as written. */
export async function nftCheck(table: { family: "inet" | "ip" | "ip6"; name: string }, body: string): Promise<Run> {
  return withTmp((dir) => {
    const f = join(dir, "ruleset.nft");
    writeFileSync(f, wrapTable(table, body));
    return run("unshare", ["-n", "nft", "-c", "-f", f]);
  });
}
