/**
 * `topo init`: a new fleet repository for one of the deployment profiles of the seeds — its
 * topology.ts, a README, a .gitignore that keeps secrets out, and a package.json that makes the
 * editor type-check topology.ts once topo is installed. Templates live in templates/init/; values
 * reach them only through the `json` (a TypeScript string literal) and `key` (a property key)
 * helpers, so no name can break the generated source.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { HostName, Ident } from "../model/common.js";
import { Profile } from "../model/host.js";

export const PROFILES = Profile.options;
export type ProfileName = (typeof PROFILES)[number];

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "templates", "init");

/** Default host name of each profile's one host. */
const DEFAULT_HOST: Record<ProfileName, string> = { none: "host1", "privacy-client": "router1", "privacy-vps": "vps1", general: "node1" };

export interface ScaffoldOptions {
  readonly dir: string;
  readonly profile: ProfileName;
  readonly host?: string;
  readonly topoVersion: string;
}

export interface Scaffold {
  /** File name (relative to dir) -> text. */
  readonly files: ReadonlyMap<string, string>;
  readonly name: string;
  readonly host: string;
}

export function fleetName(dir: string): string {
  const base = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 63);
  return Ident.safeParse(base).success ? base : "fleet";
}

function render(name: string, context: object): string {
  const hb = Handlebars.create();
  hb.registerHelper("json", (v: unknown) => JSON.stringify(v));
  hb.registerHelper("key", (v: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(v) ? v : JSON.stringify(v)));
  const t = hb.compile(readFileSync(join(TEMPLATE_DIR, `${name}.hbs`), "utf8"), { noEscape: true, strict: true });
  return t(context);
}

export function scaffold(opts: ScaffoldOptions): Scaffold {
  const host = opts.host ?? DEFAULT_HOST[opts.profile];
  if (!HostName.safeParse(host).success) throw new Error(`\`${host}\` is not a host name: one DNS label (a-z, 0-9, '-')`);
  const name = fleetName(opts.dir);
  const ctx = { name, host, profile: opts.profile };
  const pkg = { name, private: true, type: "module", devDependencies: { topo: `^${opts.topoVersion}` } };
  return {
    name,
    host,
    files: new Map([
      ["topology.ts", render(`${opts.profile}.ts`, ctx)],
      ["README.md", render("README.md", ctx)],
      [".gitignore", render("gitignore", ctx)],
      ["package.json", JSON.stringify(pkg, null, 2) + "\n"],
    ]),
  };
}
