/**
 * Handlebars for file skeletons only: templates place already-printed pieces and never format a
 * value themselves. Compiled with noEscape (HTML escaping would corrupt Nix and nft) and strict
 * (a missing field is an error, not an empty string).
 *
 * `npm run build` precompiles them (scripts/build.mjs writes templates.precompiled.js next to this
 * module in dist/), so a compile loads only Handlebars' runtime; run from source (tests), there is
 * no such file and they are compiled here, with the same options, on first use.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import HandlebarsRuntime from "handlebars/runtime.js";

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");
const cache = new Map<string, HandlebarsTemplateDelegate>();

export type TemplateName = "flake.nix" | "host-default.nix" | "data-module.nix" | "nft-table.nft" | "checks.nix" | "nft-check.nix" | "reachability.nix";

/** Every template the render stage uses (the build precompiles these). */
export const TEMPLATE_NAMES: readonly TemplateName[] = ["flake.nix", "host-default.nix", "data-module.nix", "nft-table.nft", "checks.nix", "nft-check.nix", "reachability.nix"];

/** The options every template is compiled with, at build time or here. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;

export const templateFile = (name: TemplateName): string => join(TEMPLATE_DIR, `${name}.hbs`);

// handlebars/runtime.d.ts declares nothing of its own: it is the full API less the compiler.
const Runtime = HandlebarsRuntime as unknown as Pick<typeof import("handlebars"), "create">;

let precompiled: Partial<Record<TemplateName, TemplateSpecification>> | undefined;
try {
  precompiled = (await import("./templates.precompiled.js" as string)).default;
} catch {
  precompiled = undefined; // run from source: compiled below
}

function load(name: TemplateName): HandlebarsTemplateDelegate {
  const spec = precompiled?.[name];
  if (spec) return Runtime.create().template(spec);
  const Handlebars = createRequire(import.meta.url)("handlebars") as typeof import("handlebars");
  return Handlebars.create().compile(readFileSync(templateFile(name), "utf8"), TEMPLATE_OPTIONS);
}

export function renderTemplate(name: TemplateName, context: object): string {
  let t = cache.get(name);
  if (!t) {
    t = load(name);
    cache.set(name, t);
  }
  const out = t(context);
  return out.endsWith("\n") ? out : out + "\n";
}
