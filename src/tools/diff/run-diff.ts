/**
 * topo diff: compile the topology at a revision and in the working tree, and compare.
 */
import { compileFile, type Compiled } from "../../compile.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { IntentContributor } from "../../policy/intent.js";
import { checkoutRevision } from "./revision.js";
import { diffCompiled, type TopoDiff } from "./semantic.js";

export type DiffResult =
  | { ok: true; diff: TopoDiff; base: string; commit: string }
  | { ok: false; side: "revision" | "working tree"; diagnostics: Diagnostic[]; file: string };

/** Each side through the front end every command uses: its lock is the topo.lock.json beside it. */
async function compileAt(file: string): Promise<{ ok: true; compiled: Compiled } | { ok: false; diagnostics: Diagnostic[] }> {
  return compileFile(file);
}

export async function runDiff(file: string, rev?: string, contributors?: readonly IntentContributor[]): Promise<DiffResult> {
  const revision = checkoutRevision(file, rev);
  try {
    const before = await compileAt(revision.file);
    if (!before.ok) return { ok: false, side: "revision", diagnostics: before.diagnostics, file: revision.file };
    const after = await compileAt(file);
    if (!after.ok) return { ok: false, side: "working tree", diagnostics: after.diagnostics, file };
    return { ok: true, diff: diffCompiled(before.compiled, after.compiled, contributors), base: revision.label, commit: revision.commit };
  } finally {
    revision.cleanup();
  }
}
