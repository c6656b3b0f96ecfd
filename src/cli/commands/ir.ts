import { dirname, resolve } from "node:path";
import { analyze } from "../../compile.js";
import { loadTopology } from "../../load/load-topology.js";
import { displayName } from "../../load/locate.js";
import { EXIT } from "../exit.js";
import { readLockText } from "../../load/lock-file.js";
import { out, printDiagnostics } from "../output.js";

export async function irCommand(file: string): Promise<number> {
  const loaded = await loadTopology(file);
  if (!loaded.ok) {
    printDiagnostics(loaded.diagnostics, false, displayName(loaded.file));
    return EXIT.failed;
  }
  const r = analyze(loaded.loaded, { outDir: resolve(dirname(loaded.loaded.file)), ...readLockText(resolve(dirname(loaded.loaded.file))) });
  if (!r.ok) {
    printDiagnostics(r.diagnostics, false, displayName(loaded.loaded.file));
    return EXIT.failed;
  }
  out(JSON.stringify(r.ir, null, 2));
  return EXIT.ok;
}
