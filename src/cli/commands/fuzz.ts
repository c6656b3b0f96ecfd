/**
 * topo fuzz: random mixed fleets through validate, compile and verify; a reproducer line for
 * each failure (see src/verify/fuzz.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_CONCEPTS, type FleetShape } from "../../lab/index.js";
import { fuzz, outcomeLine, summaryLines } from "../../verify/fuzz.js";
import { EXIT } from "../exit.js";
import { info, out } from "../output.js";

export interface FuzzFlags {
  readonly seed?: number | string;
  readonly count?: number | string;
  readonly out?: string;
  readonly compileOnly?: boolean;
  readonly without?: string | string[];
  readonly json?: boolean;
}

export async function fuzzCommand(flags: FuzzFlags): Promise<number> {
  const seed = Number(flags.seed ?? 1);
  const count = Number(flags.count ?? 10);
  if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(count) || count < 1) {
    info("topo fuzz: --seed is a whole number >= 0 and --count one >= 1");
    return EXIT.usage;
  }
  const without = [flags.without ?? []].flat().flatMap((w) => String(w).split(",")).filter(Boolean);
  const unknown = without.filter((w) => !(w in ALL_CONCEPTS));
  if (unknown.length) {
    info(`topo fuzz: --without ${unknown.join(",")}: concepts are ${Object.keys(ALL_CONCEPTS).join(", ")}`);
    return EXIT.usage;
  }
  const shape: FleetShape = { ...ALL_CONCEPTS, ...Object.fromEntries(without.map((w) => [w, false])) };
  const dir = flags.out ?? join(tmpdir(), "topo-fuzz");
  info(`topo fuzz: ${count} fleet${count === 1 ? "" : "s"} from seed ${seed}${without.length ? ` without ${without.join(", ")}` : ""}, written to ${dir}${flags.compileOnly ? " (validate and compile only)" : ""}`);
  const outcomes = await fuzz({
    seed,
    count,
    out: dir,
    shape,
    ...(flags.compileOnly ? { compileOnly: true } : {}),
    onOutcome: (o) => (flags.json ? undefined : out(outcomeLine(o))),
  });
  if (flags.json) out(JSON.stringify(outcomes.map(({ result: _r, ...o }) => o), null, 2));
  else out(summaryLines({ seed, count }, outcomes).join("\n"));
  return outcomes.every((o) => o.status === "pass") ? EXIT.ok : EXIT.failed;
}
