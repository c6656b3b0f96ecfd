/**
 * load: run `topology.ts` (through tsx, a maintained TypeScript loader, no build step) or read
 * `topology.json`, and hand back its default export. One of the two passes that touch the world.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import Module, { register } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { readCompiled, writeCompiled } from "./compiled-cache.js";

export interface Loaded {
  /** Absolute path of the topology file. */
  readonly file: string;
  /** The file's text, for spans and back-references. */
  readonly source: string;
  /** The default export, not yet validated. */
  readonly value: unknown;
}

export type LoadResult = { ok: true; loaded: Loaded } | { ok: false; diagnostics: Diagnostic[]; file: string; source?: string };

let cjsResolver = false;
let esmResolver = false;
let loads = 0;

// Under tsx (tests) these modules are .ts; built, they are .js.
const EXT = import.meta.url.endsWith(".ts") ? "ts" : "js";
/** What `import ... from "topo"` gets: this package's authoring API. */
const TOPO_INDEX = fileURLToPath(new URL(`../index.${EXT}`, import.meta.url));

interface CjsModule {
  exports: unknown;
  filename: string;
  loaded: boolean;
  paths: string[];
  _compile(code: string, filename: string): void;
}
interface CjsLoader {
  new (id: string): CjsModule;
  _cache: Record<string, CjsModule | undefined>;
  _nodeModulePaths(dir: string): string[];
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
  prototype: CjsModule;
}
const Cjs = Module as unknown as CjsLoader;

/**
 * Resolve "topo" to this package for every topology file, wherever it lives: CommonJS through the
 * CommonJS resolver (which Node 20's hooks do not reach), ES modules through a resolve hook
 * (resolve-hook.ts), registered only when a file needs the ES module loader: registering starts
 * the hooks' thread, which costs more than compiling a small fleet.
 */
function registerTopoResolver(esm: boolean): void {
  if (!cjsResolver) {
    cjsResolver = true;
    const original = Cjs._resolveFilename;
    Cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
      return request === "topo" ? TOPO_INDEX : original.call(this, request, ...rest);
    };
  }
  if (esm && !esmResolver) {
    esmResolver = true;
    register(`./resolve-hook.${EXT}`, import.meta.url);
  }
}

/** What only the ES module loader runs (top-level await...): such a file is imported instead. */
function needsEsm(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  return code === "ERR_REQUIRE_ASYNC_MODULE" || code === "ERR_REQUIRE_ESM" || /top-level await|"cjs" output format/i.test(message);
}

/**
 * Run the file through tsx's CommonJS hooks, in this thread; a fresh namespace each time, so a
 * file loaded again is read again, and the hooks removed afterwards. What tsx compiled is kept
 * for the next run when the file needs nothing else compiled (compiled-cache.ts).
 */
async function requireTopology(file: string, source: string): Promise<Record<string, unknown>> {
  registerTopoResolver(false);
  const { register: registerTsx } = await import("tsx/cjs/api");
  const api = registerTsx({ namespace: `topo-load-${++loads}` });
  const cache = Cjs._cache;
  const before = new Set(Object.keys(cache));
  const compiled = new Map<string, string>();
  const compile = Cjs.prototype._compile;
  Cjs.prototype._compile = function (this: CjsModule, code: string, filename: string) {
    compiled.set(filename, code);
    return compile.call(this, code, filename);
  };
  try {
    const mod = api.require(file, import.meta.url) as Record<string, unknown>;
    const own = compiled.get(file);
    if (own !== undefined && [...compiled.keys()].every((f) => f === file || f === TOPO_INDEX)) writeCompiled(file, source, own);
    return mod;
  } catch (e) {
    // The stack is formatted when first read: read it while tsx's source maps are on, so that it
    // points into the file as written.
    void (e as { stack?: unknown } | undefined)?.stack;
    throw e;
  } finally {
    Cjs.prototype._compile = compile;
    api.unregister();
    for (const k of Object.keys(cache)) if (!before.has(k) && k.includes("?namespace=topo-load-")) delete cache[k];
  }
}

/**
 * Run the file as tsx compiled it on an earlier run (compiled-cache.ts), without loading tsx.
 * Undefined when nothing is stored, or when it throws: tsx then runs the file again, and its
 * error is located in the file as written.
 */
async function runCompiled(file: string, source: string): Promise<Record<string, unknown> | undefined> {
  const code = readCompiled(file, source);
  if (code === undefined) return undefined;
  registerTopoResolver(false);
  // "topo" is an ES module: the file's require("topo") gets its namespace.
  const topo = new Cjs(TOPO_INDEX);
  topo.exports = await import(pathToFileURL(TOPO_INDEX).href);
  topo.loaded = true;
  const had = Cjs._cache[TOPO_INDEX];
  Cjs._cache[TOPO_INDEX] = topo;
  try {
    const m = new Cjs(file);
    m.filename = file;
    m.paths = Cjs._nodeModulePaths(dirname(file));
    m._compile(code, file);
    return m.exports as Record<string, unknown>;
  } catch {
    return undefined;
  } finally {
    if (had) Cjs._cache[TOPO_INDEX] = had;
    else delete Cjs._cache[TOPO_INDEX];
  }
}

/** Import the file through tsx's ES module hooks (a hooks thread). */
async function importTopology(file: string): Promise<Record<string, unknown>> {
  registerTopoResolver(true);
  const { tsImport } = await import("tsx/esm/api");
  return (await tsImport(pathToFileURL(file).href, { parentURL: import.meta.url })) as Record<string, unknown>;
}

export async function loadTopology(path: string): Promise<LoadResult> {
  const file = resolve(path);
  if (!existsSync(file)) {
    return {
      ok: false,
      file,
      diagnostics: [error("TOPO1003", [], `${path}: no such file`, { hint: "give the path of topology.ts (or .json) as the first argument" })],
    };
  }
  const source = readFileSync(file, "utf8");
  if (file.endsWith(".json")) {
    try {
      return { ok: true, loaded: { file, source, value: JSON.parse(source) } };
    } catch (e) {
      return { ok: false, file, source, diagnostics: [error("TOPO1001", [], `${basename(file)} is not valid JSON: ${(e as Error).message}`)] };
    }
  }
  let mod: Record<string, unknown>;
  try {
    try {
      mod = (await runCompiled(file, source)) ?? (await requireTopology(file, source));
    } catch (e) {
      if (!needsEsm(e)) throw e;
      mod = await importTopology(file);
    }
  } catch (e) {
    return { ok: false, file, source, diagnostics: [loadFailure(e, file)] };
  }
  if (!("default" in mod) || mod.default === undefined) {
    return {
      ok: false,
      file,
      source,
      diagnostics: [error("TOPO1002", [], `${basename(file)} has no default export`, { hint: "end the file with `export default defineTopology({ ... })`" })],
    };
  }
  return { ok: true, loaded: { file, source, value: unwrapCommonJs(mod.default) } };
}

/** A thrown error while running the file: point at the file's own frame when the stack has one. */
function loadFailure(e: unknown, file: string): Diagnostic {
  const err = e instanceof Error ? e : new Error(String(e));
  const message = err.message.split("\n")[0] ?? String(e);
  const d = error("TOPO1001", [], `${basename(file)} could not be loaded: ${message}`, {
    hint: "run `node --import tsx " + basename(file) + "` to see the full error",
  });
  const stack = err.stack ?? "";
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${esc}:(\\d+):(\\d+)`).exec(stack) ?? /:(\d+):(\d+)/.exec(String((err as { frame?: string }).frame ?? ""));
  if (m) {
    const line = Number(m[1]);
    const column = Number(m[2]);
    const text = readFileSync(file, "utf8").split("\n")[line - 1] ?? "";
    d.span = { file: basename(file), line, column, length: 1, text };
  }
  return d;
}

/** A .ts file outside a "type": "module" package runs as CommonJS: its default export arrives wrapped. */
function unwrapCommonJs(v: unknown): unknown {
  if (v && typeof v === "object" && "default" in v && ((v as { __esModule?: boolean }).__esModule || Object.keys(v).every((k) => k === "default"))) {
    return (v as { default: unknown }).default;
  }
  return v;
}
