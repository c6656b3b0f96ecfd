import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { printJsonSchema } from "../../model/json-schema.js";
import { EXIT } from "../exit.js";
import { info, out } from "../output.js";

export async function schemaCommand(flags: { out?: string }): Promise<number> {
  const text = printJsonSchema();
  if (flags.out) {
    writeFileSync(resolve(flags.out), text);
    info(`topo: wrote the topology JSON Schema to ${flags.out}.`);
  } else out(text);
  return EXIT.ok;
}
