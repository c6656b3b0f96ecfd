import { resolve } from "node:path";
import { displayName } from "../../load/locate.js";
import { EXIT } from "../exit.js";
import { analyzeOrExit } from "../front-end.js";
import { info, out, printDiagnostics } from "../output.js";

export async function validateCommand(file: string, flags: { json?: boolean; typecheck?: boolean }): Promise<number> {
  if (flags.typecheck && !file.endsWith(".json")) {
    const { typecheck } = await import("../../load/typecheck.js");
    const typeErrors = typecheck(resolve(file));
    if (typeErrors.length) {
      printDiagnostics(typeErrors, !!flags.json, file);
      return EXIT.failed;
    }
  }
  const r = await analyzeOrExit(file, { ...(flags.json ? { json: true } : {}) });
  if (typeof r === "number") return r;
  const name = displayName(r.loaded.file);
  if (flags.json) out(JSON.stringify({ ok: true, file: name, hosts: r.ir.hosts.map((h) => h.name) }, null, 2));
  else info(`topo: ${name} is valid (${r.ir.hosts.length} hosts).`);
  return EXIT.ok;
}
