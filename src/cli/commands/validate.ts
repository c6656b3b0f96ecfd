import { dirname, resolve } from "node:path";
import { analyze } from "../../compile.js";
import { loadTopology } from "../../load/load-topology.js";
import { displayName } from "../../load/locate.js";
import { EXIT } from "../exit.js";
import { readLockText } from "../../load/lock-file.js";
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
  const loaded = await loadTopology(file);
  if (!loaded.ok) {
    printDiagnostics(loaded.diagnostics, !!flags.json, displayName(loaded.file));
    return EXIT.failed;
  }
  const name = displayName(loaded.loaded.file);
  const r = analyze(loaded.loaded, { outDir: resolve(dirname(loaded.loaded.file)), ...readLockText(resolve(dirname(loaded.loaded.file))) });
  if (!r.ok) {
    printDiagnostics(r.diagnostics, !!flags.json, name);
    return EXIT.failed;
  }
  if (flags.json) out(JSON.stringify({ ok: true, file: name, hosts: r.ir.hosts.map((h) => h.name) }, null, 2));
  else info(`topo: ${name} is valid (${r.ir.hosts.length} hosts).`);
  return EXIT.ok;
}
