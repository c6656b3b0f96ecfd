/**
 * Golden files: reviewable expected output beside each case. `UPDATE_GOLDEN=1 npm test` rewrites
 * them (never in CI); a missing golden is a failure, not a silent pass.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as assert from "uvu/assert";

export const UPDATING = process.env.UPDATE_GOLDEN === "1" && !process.env.CI;

export function matchGolden(file: string, actual: string): void {
  if (UPDATING) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) assert.unreachable(`missing golden ${file} (run UPDATE_GOLDEN=1 npm test and review it)`);
  assert.fixture(actual, readFileSync(file, "utf8"), `golden ${file}`);
}
