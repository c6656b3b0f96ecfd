import { displayName } from "../../load/locate.js";
import { formatJson, formatMarkdown, formatText } from "../../tools/diff/format.js";
import { RevisionError } from "../../tools/diff/revision.js";
import { runDiff } from "../../tools/diff/run-diff.js";
import { EXIT } from "../exit.js";
import { info, out, printDiagnostics } from "../output.js";

export interface DiffFlags {
  readonly file?: string;
  readonly markdown?: boolean;
  readonly json?: boolean;
}

export async function diffCommand(rev: string | undefined, flags: DiffFlags): Promise<number> {
  const file = flags.file ?? "topology.ts";
  let r;
  try {
    r = await runDiff(file, rev);
  } catch (e) {
    if (e instanceof RevisionError) {
      info(`topo: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
  if (!r.ok) {
    info(`topo: the topology in the ${r.side} does not compile:`);
    printDiagnostics(r.diagnostics, false, displayName(r.file));
    return EXIT.failed;
  }
  const header = { base: r.base, commit: r.commit, file };
  out(flags.json ? formatJson(r.diff, header) : flags.markdown ? formatMarkdown(r.diff, header) : formatText(r.diff, header));
  return EXIT.ok;
}
