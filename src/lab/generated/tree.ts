/**
 * The generated tree as the lab sees it: each host's generated data modules, evaluated by the real
 * Nix evaluator (`nix-instantiate --eval --strict --json`, no nixpkgs) and merged the way the NixOS
 * module system merges plain definitions (attribute sets recursively, lists concatenated, equal
 * scalars once). The lab instantiates hosts from this, never from the topology.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GENERATED_MARK } from "../../render/plan.js";
import { LabError, run } from "../runtime/exec.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface GeneratedHost {
  readonly name: string;
  /** The merged configuration of the host's generated data modules. */
  readonly config: JsonObject;
  /** The modules evaluated, relative to the tree. */
  readonly modules: readonly string[];
  /** Imported modules the lab cannot read as data (hand-written, or functions), relative to the tree. */
  readonly skipped: readonly string[];
}

/** Hosts of a tree: `hosts/<name>/default.nix` files that topo generated. */
export function treeHosts(root: string): string[] {
  const dir = join(root, "hosts");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((h) => {
      const f = join(dir, h, "default.nix");
      return existsSync(f) && readFileSync(f, "utf8").includes(GENERATED_MARK);
    })
    .sort();
}

const EVAL = `{ root, hostsJson }:
let
  mark = "# ${GENERATED_MARK}";
  generated = p: builtins.substring 0 (builtins.stringLength mark) (builtins.readFile p) == mark;
  one = p:
    if !(builtins.isPath p) then { file = "(inline module)"; skipped = true; }
    else if !(generated p) then { file = toString p; skipped = true; }
    else let v = import p; in
      if builtins.isFunction v then { file = toString p; skipped = true; }
      else { file = toString p; value = v; };
  host = name: map one ((import (root + "/hosts/" + name + "/default.nix")).imports or [ ]);
in builtins.listToAttrs (map (n: { name = n; value = host n; }) (builtins.fromJSON hostsJson))`;

interface Evaluated {
  readonly file: string;
  readonly skipped?: boolean;
  readonly value?: Json;
}

/** Evaluate the generated modules of the given hosts (one evaluator run for all of them). */
export function readGeneratedTree(root: string, hosts: readonly string[]): Map<string, GeneratedHost> {
  const r = run(["nix-instantiate", "--eval", "--strict", "--json", "-E", EVAL, "--argstr", "root", root, "--argstr", "hostsJson", JSON.stringify(hosts)], { timeoutMs: 60_000 });
  if (r.status !== 0) throw new LabError(`nix-instantiate could not evaluate the generated modules in ${root}`, r.stderr.trim());
  const all = JSON.parse(r.stdout) as Record<string, Evaluated[]>;
  const out = new Map<string, GeneratedHost>();
  const rel = (f: string) => (f.startsWith(root + "/") ? f.slice(root.length + 1) : f);
  for (const name of hosts) {
    const mods = all[name] ?? [];
    let config: JsonObject = {};
    for (const m of mods) {
      if (m.skipped || m.value === undefined) continue;
      if (!isObject(m.value)) throw new LabError(`${rel(m.file)} is not an attribute set`);
      config = merge(config, m.value, rel(m.file)) as JsonObject;
    }
    out.set(name, {
      name,
      config,
      modules: mods.filter((m) => !m.skipped).map((m) => rel(m.file)),
      skipped: mods.filter((m) => m.skipped).map((m) => rel(m.file)),
    });
  }
  return out;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** NixOS-style merge of plain definitions; two different scalars for one option is an error, as in NixOS. */
function merge(a: Json, b: Json, file: string, path: string[] = []): Json {
  if (isObject(a) && isObject(b)) {
    const out: JsonObject = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? merge(out[k]!, v, file, [...path, k]) : v;
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  throw new LabError(`conflicting definitions of ${path.join(".")} (${file} defines it again, differently)`);
}

/** Read `a.b.c` of a config, or undefined. */
export function at(config: JsonObject, path: string): Json | undefined {
  let cur: Json | undefined = config;
  for (const k of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
