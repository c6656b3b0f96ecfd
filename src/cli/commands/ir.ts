import { EXIT } from "../exit.js";
import { analyzeOrExit } from "../front-end.js";
import { out } from "../output.js";

export async function irCommand(file: string): Promise<number> {
  const a = await analyzeOrExit(file);
  if (typeof a === "number") return a;
  out(JSON.stringify(a.ir, null, 2));
  return EXIT.ok;
}
