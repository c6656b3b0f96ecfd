/**
 * Helpers for lab tests: run `topo verify` in-process, and look at what a run left on the machine.
 * Every check is scoped to the run's own id (other helpers run labs on this machine concurrently).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { listNetns, runDir } from "../../src/lab/runtime/state.js";
import { verify, type VerifyOptions, type VerifyResult } from "../../src/verify/verify.js";
import { CASES } from "./compile.js";

export const LAB_BASICS = join(CASES, "lab-basics", "topology.ts");

export async function verifyOk(opts: VerifyOptions): Promise<VerifyResult> {
  const o = await verify(opts);
  if (o.kind !== "done") throw new Error(`verify did not run: ${JSON.stringify(o, null, 2)}`);
  return o.result;
}

/** Namespaces and run directory a run left behind (both empty after a teardown). */
export function leftovers(runId: string): string[] {
  const out = listNetns().filter((n) => n.startsWith(`${runId}-`));
  if (existsSync(runDir(runId))) out.push(runDir(runId));
  return out;
}

export const cellName = (c: { from: string; to: string; proto: string; port?: number; variant?: string }) =>
  `${c.from}${c.variant ? ` [${c.variant}]` : ""} -> ${c.to} ${c.proto}${c.port !== undefined ? `/${c.port}` : ""}`;
