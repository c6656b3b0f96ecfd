/**
 * Handlebars for file skeletons only: templates place already-printed pieces and never format a
 * value themselves. Compiled with noEscape (HTML escaping would corrupt Nix and nft) and strict
 * (a missing field is an error, not an empty string).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");
const cache = new Map<string, HandlebarsTemplateDelegate>();

export type TemplateName = "flake.nix" | "host-default.nix" | "data-module.nix" | "nft-table.nft" | "checks.nix" | "nft-check.nix" | "reachability.nix";

export function renderTemplate(name: TemplateName, context: object): string {
  let t = cache.get(name);
  if (!t) {
    const text = readFileSync(join(TEMPLATE_DIR, `${name}.hbs`), "utf8");
    t = Handlebars.create().compile(text, { noEscape: true, strict: true });
    cache.set(name, t);
  }
  const out = t(context);
  return out.endsWith("\n") ? out : out + "\n";
}
