/**
 * The `topo init` profiles as a user gets them: each profile's topology.ts, scaffolded into a
 * temporary directory and compiled in-process (no CLI), so tests can read the generated tree.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROFILES, scaffold, type ProfileName } from "../../src/init/scaffold.js";
import { compileOk } from "./compile.js";
import { writePlan } from "./tools.js";
import { withTmp } from "./tmp.js";

export { PROFILES };

/** Scaffold `profile` in a temporary directory, compile it there, and hand `fn` the directory and result. */
export async function withProfile<T>(profile: ProfileName, fn: (dir: string, compiled: Awaited<ReturnType<typeof compileOk>>) => Promise<T> | T): Promise<T> {
  return withTmp(async (dir) => {
    const s = scaffold({ dir, profile, topoVersion: "0.0.0" });
    for (const [name, text] of s.files) writeFileSync(join(dir, name), text);
    const compiled = await compileOk(join(dir, "topology.ts"), dir);
    writePlan(dir, compiled.plan);
    return fn(dir, compiled);
  });
}
