/**
 * The topology file as tsx compiled it, kept between runs, so that compiling an unchanged file
 * again runs that JavaScript without loading tsx and esbuild (most of a small fleet's start-up).
 *
 * Kept only for a file that imports nothing of its own (only "topo" and Node's built-ins: a local
 * helper module would need its own transpiling), under a key of everything the compiled text
 * depends on: the file's path and text, tsx's version, and the tsconfig.json tsx would read. The
 * cache lives where tsx keeps its own (the temporary directory, per user), in a directory only
 * this user can write; anything else there is ignored, never run.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Bump when what is stored, or how it is run, changes. */
const FORMAT = "1";

function cacheDir(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = join(tmpdir(), `topo-compiled-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    // Someone else's directory, or one others may write into, could hold code we would run.
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** The tsconfig.json tsx reads: the nearest one from the working directory up. */
function tsconfigText(): string {
  for (let d = process.cwd(); ; d = dirname(d)) {
    const p = join(d, "tsconfig.json");
    if (existsSync(p)) return readFileSync(p, "utf8");
    if (dirname(d) === d) return "";
  }
}

function keyOf(file: string, source: string): string {
  const tsx = (createRequire(import.meta.url)("tsx/package.json") as { version: string }).version;
  return createHash("sha256").update(JSON.stringify([FORMAT, tsx, file, process.cwd(), tsconfigText(), source])).digest("hex");
}

/** Where the compiled text of this file and source is kept (undefined: no usable cache here). */
export function compiledPath(file: string, source: string): string | undefined {
  const dir = cacheDir();
  return dir && join(dir, `${keyOf(file, source)}.cjs`);
}

/** The compiled text stored for this file and source, if any. */
export function readCompiled(file: string, source: string): string | undefined {
  const path = compiledPath(file, source);
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Store the compiled text (best effort: a cache that cannot be written is no cache). */
export function writeCompiled(file: string, source: string, compiled: string): void {
  const target = compiledPath(file, source);
  if (!target) return;
  const temp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, compiled, { mode: 0o600 });
    renameSync(temp, target);
  } catch {
    // left to the next run
  }
}
