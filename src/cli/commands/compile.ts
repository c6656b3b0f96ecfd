import { compileAnalyzed } from "../../compile.js";
import { error } from "../../diag/diagnostic.js";
import { diffTree, foreignFiles, writeTree } from "../../emit/write.js";
import { displayName } from "../../load/locate.js";
import { EXIT } from "../exit.js";
import { analyzeOrExit } from "../front-end.js";
import { info, out, printDiagnostics } from "../output.js";
import { colorsFor, diagnosticToJson, formatDiagnostic } from "../../diag/report.js";

export interface CompileFlags {
  readonly out?: string;
  readonly check?: boolean;
  readonly json?: boolean;
}

export async function compileCommand(file: string, flags: CompileFlags): Promise<number> {
  const analyzed = await analyzeOrExit(file, flags);
  if (typeof analyzed === "number") return analyzed;
  const outDir = analyzed.outDir;
  const result = compileAnalyzed(analyzed);
  const name = displayName(analyzed.loaded.file);
  if (!result.ok) {
    printDiagnostics(result.diagnostics, !!flags.json, name);
    return EXIT.failed;
  }
  const { plan, ir } = result.compiled;

  if (flags.check) {
    const d = diffTree(outDir, plan);
    const clean = d.stale.length + d.missing.length + d.extra.length === 0;
    if (flags.json) out(JSON.stringify({ ok: clean, ...d }, null, 2));
    else if (clean) info(`topo: the generated tree is up to date with ${name} (${plan.size} files).`);
    else {
      info(`topo: the generated tree is out of date with ${name}:`);
      for (const p of d.stale) info(`  stale    ${p}`);
      for (const p of d.missing) info(`  missing  ${p}`);
      for (const p of d.extra) info(`  extra    ${p}`);
      info("Run `topo compile` and commit the result.");
    }
    return clean ? EXIT.ok : EXIT.failed;
  }

  const foreign = foreignFiles(outDir, plan);
  if (foreign.length) {
    printDiagnostics(foreign, !!flags.json, name);
    return EXIT.failed;
  }
  let w;
  try {
    w = writeTree(outDir, plan);
  } catch (e) {
    const message = (e as Error).message;
    printDiagnostics([error("TOPO9003", [], `could not write the tree: ${message}`, { hint: "fix the cause and compile again; the previous tree was left as it was" })], !!flags.json, name);
    return EXIT.failed;
  }
  const { warnings } = result.compiled;
  if (flags.json) {
    out(JSON.stringify({ ok: true, hosts: ir.hosts.map((h) => h.name), files: [...plan.keys()], written: w.written, removed: w.removed, warnings: warnings.map(diagnosticToJson) }, null, 2));
  } else {
    const c = colorsFor(process.stderr);
    for (const d of warnings) info(formatDiagnostic(d, c, name) + "\n");
    info(`topo: compiled ${ir.hosts.length} host${ir.hosts.length === 1 ? "" : "s"} from ${name}: ${w.written.length} file${w.written.length === 1 ? "" : "s"} written, ${w.removed.length} removed, ${plan.size - w.written.length} unchanged.`);
  }
  return EXIT.ok;
}
