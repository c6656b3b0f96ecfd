import { GRAPH_DIR, planGraphs } from "../../lower/graph/plan.js";
import { EXIT } from "../exit.js";
import { analyzeOrExit } from "../front-end.js";
import { info, out } from "../output.js";

/** Print the fleet's (or one host's) Mermaid Markdown; `topo compile` writes the same files. */
export async function graphCommand(file: string, flags: { host?: string }): Promise<number> {
  const r = await analyzeOrExit(file);
  if (typeof r === "number") return r;
  const graphs = planGraphs(r.ir);
  const text = graphs.get(`${GRAPH_DIR}/${flags.host ?? "fleet"}.md`);
  if (text === undefined) {
    info(`topo: no host ${flags.host}; hosts: ${r.ir.hosts.map((h) => h.name).join(", ")}`);
    return EXIT.usage;
  }
  out(text);
  return EXIT.ok;
}
