import { dirname, resolve } from "node:path";
import { analyze } from "../../compile.js";
import { loadTopology } from "../../load/load-topology.js";
import { displayName } from "../../load/locate.js";
import { GRAPH_DIR, planGraphs } from "../../tools/graph/plan.js";
import { EXIT } from "../exit.js";
import { info, out, printDiagnostics } from "../output.js";

/** Print the fleet's (or one host's) Mermaid Markdown; `topo compile` writes the same files. */
export async function graphCommand(file: string, flags: { host?: string }): Promise<number> {
  const loaded = await loadTopology(file);
  if (!loaded.ok) {
    printDiagnostics(loaded.diagnostics, false, displayName(loaded.file));
    return EXIT.failed;
  }
  const r = analyze(loaded.loaded, { outDir: resolve(dirname(loaded.loaded.file)) });
  if (!r.ok) {
    printDiagnostics(r.diagnostics, false, displayName(loaded.loaded.file));
    return EXIT.failed;
  }
  const graphs = planGraphs(r.ir);
  const text = graphs.get(`${GRAPH_DIR}/${flags.host ?? "fleet"}.md`);
  if (text === undefined) {
    info(`topo: no host ${flags.host}; hosts: ${r.ir.hosts.map((h) => h.name).join(", ")}`);
    return EXIT.usage;
  }
  out(text);
  return EXIT.ok;
}
