/**
 * The topology as it was at a git revision: the revision's tree is extracted (git archive) into a
 * temp dir, where its topology.ts loads as it did then — its own relative imports, its own
 * topo.lock.json — with `topo` resolving to the running topo and other packages to the working
 * tree's node_modules.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";

export class RevisionError extends Error {}

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.error) throw new RevisionError(`git is not available: ${r.error.message}`);
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

export interface Revision {
  /** What the user asked for (or the merge base it defaulted to). */
  readonly label: string;
  readonly commit: string;
  /** The topology file inside the extracted tree. */
  readonly file: string;
  /** The extracted tree; remove with cleanup(). */
  readonly dir: string;
  cleanup(): void;
}

/** The merge base of HEAD with the main branch (main, then origin/main, master, origin/master). */
export function defaultBase(repo: string): { label: string; commit: string } {
  for (const branch of ["main", "origin/main", "master", "origin/master"]) {
    if (!git(repo, ["rev-parse", "--verify", "--quiet", `${branch}^{commit}`]).ok) continue;
    const mb = git(repo, ["merge-base", "HEAD", branch]);
    if (mb.ok) return { label: `merge base with ${branch}`, commit: mb.out };
  }
  throw new RevisionError("no main branch to take the merge base with: give the revision to compare with (topo diff <rev>)");
}

export function checkoutRevision(topologyFile: string, rev?: string): Revision {
  const file = realpathSync(resolve(topologyFile));
  const top = git(dirname(file), ["rev-parse", "--show-toplevel"]);
  if (!top.ok) throw new RevisionError(`${topologyFile} is not in a git repository`);
  const repo = realpathSync(top.out);
  const rel = relative(repo, file).split("\\").join("/");
  let label: string;
  let commit: string;
  if (rev === undefined) ({ label, commit } = defaultBase(repo));
  else {
    const c = git(repo, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
    if (!c.ok) throw new RevisionError(`unknown revision ${rev}`);
    label = rev;
    commit = c.out;
  }
  if (!git(repo, ["cat-file", "-e", `${commit}:${rel}`]).ok) throw new RevisionError(`${rel} does not exist at ${label} (${commit.slice(0, 12)})`);

  const dir = mkdtempSync(join(tmpdir(), "topo-diff-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const tree = join(dir, "tree");
    mkdirSync(tree);
    const tar = join(dir, "rev.tar");
    const a = git(repo, ["archive", "--format=tar", "-o", tar, commit]);
    if (!a.ok) throw new RevisionError(`git archive ${commit}: ${a.err}`);
    const x = spawnSync("tar", ["-xf", tar, "-C", tree], { encoding: "utf8" });
    if (x.status !== 0) throw new RevisionError(`tar: ${x.stderr}`);
    linkDependencies(repo, tree);
    return { label, commit, file: join(tree, rel), dir, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** The working tree's installed packages, visible from the extracted tree (git has none of them). */
function linkDependencies(repo: string, tree: string): void {
  const modules = join(repo, "node_modules");
  if (!existsSync(modules)) return;
  const target = join(tree, "node_modules");
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry === "topo" || entry.startsWith(".")) continue;
    if (!existsSync(join(target, entry))) symlinkSync(join(modules, entry), join(target, entry));
  }
}
