/**
 * Module resolve hook: `import ... from "topo"` in a topology file resolves to the topo that is
 * compiling it, wherever the file lives (a fresh fleet repo, a temp dir for `topo diff`, a test).
 * The schema that validates the topology is then always the one its helpers were typed from.
 */
const TOPO_INDEX = new URL(import.meta.url.endsWith(".ts") ? "../index.ts" : "../index.js", import.meta.url).href;

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === "topo") return { url: TOPO_INDEX, shortCircuit: true };
  return next(specifier, context);
}
