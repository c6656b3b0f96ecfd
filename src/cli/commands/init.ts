import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PROFILES, scaffold, type ProfileName } from "../../init/scaffold.js";
import { EXIT } from "../exit.js";
import { info } from "../output.js";
import { compileCommand } from "./compile.js";

export interface InitFlags {
  readonly profile?: string;
  readonly host?: string;
  readonly json?: boolean;
}

/** Scaffold a fleet repository for a profile, then compile it: the flake exists at once. */
export async function initCommand(dir: string, flags: InitFlags): Promise<number> {
  const profile = (flags.profile ?? "none") as ProfileName;
  if (!PROFILES.includes(profile)) {
    info(`topo: unknown profile \`${flags.profile}\`; choose one of: ${PROFILES.join(", ")}`);
    return EXIT.usage;
  }
  const root = resolve(dir);
  if (existsSync(join(root, "topology.ts"))) {
    info(`topo: ${join(dir, "topology.ts")} already exists; topo init never overwrites it.`);
    return EXIT.failed;
  }
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "package.json"), "utf8")) as { version: string };
  let s;
  try {
    s = scaffold({ dir: root, profile, ...(flags.host ? { host: flags.host } : {}), topoVersion: pkg.version });
  } catch (e) {
    info(`topo: ${(e as Error).message}`);
    return EXIT.usage;
  }
  mkdirSync(root, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of s.files) {
    const p = join(root, file);
    if (existsSync(p)) continue; // a README or .gitignore of the user's stays as it is
    writeFileSync(p, text);
    written.push(file);
  }
  info(`topo: scaffolded ${s.name} (profile ${profile}, host ${s.host}) in ${dir}: ${written.join(", ")}`);
  return compileCommand(join(root, "topology.ts"), { ...(flags.json ? { json: true } : {}) });
}
