/**
 * `--typecheck`: run the TypeScript checker over the topology file, the way the author's editor
 * does, and report its errors in topo's format (TOPO1004). `topo` resolves to the running package,
 * so the check works wherever the file lives.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Project, ts } from "ts-morph";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { displayName } from "./locate.js";

const TOPO_TYPES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "index.d.ts");

export function typecheck(file: string): Diagnostic[] {
  const project = new Project({
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
      paths: { topo: [TOPO_TYPES] },
    },
    skipAddingFilesFromTsConfig: true,
  });
  const sf = project.addSourceFileAtPath(file);
  const out: Diagnostic[] = [];
  for (const d of project.getPreEmitDiagnostics()) {
    if (d.getSourceFile()?.getFilePath() !== sf.getFilePath()) continue;
    const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n").split("\n")[0] ?? "";
    const diag = error("TOPO1004", [], `TS${d.getCode()}: ${text}`);
    const start = d.getStart();
    if (start !== undefined) {
      const { line, column } = sf.getLineAndColumnAtPos(start);
      diag.span = { file: displayName(file), line, column, length: Math.max(1, d.getLength() ?? 1), text: sf.getFullText().split("\n")[line - 1] ?? "" };
    }
    out.push(diag);
  }
  return out;
}
