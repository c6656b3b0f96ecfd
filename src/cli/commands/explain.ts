import { CODES, type Code } from "../../diag/codes.js";
import { EXIT } from "../exit.js";
import { info, out } from "../output.js";

export async function explainCommand(code: string): Promise<number> {
  const key = code.toUpperCase() as Code;
  const entry = CODES[key];
  if (!entry) {
    info(`topo: no diagnostic code ${code}; codes look like TOPO3001.`);
    return EXIT.usage;
  }
  out(`${key}: ${entry.title}\n\n${entry.explanation}`);
  return EXIT.ok;
}
