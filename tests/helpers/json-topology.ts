/**
 * The reference fleet (or any topology.ts) exported as topology.json, the way an author of a JSON
 * topology would write it: the same model, pretty-printed, pointing at the published schema.
 */
import { loadTopology } from "../../src/load/load-topology.js";

export async function exportJson(tsFile: string, schemaRef = "./topology.schema.json"): Promise<{ value: Record<string, unknown>; text: string }> {
  const loaded = await loadTopology(tsFile);
  if (!loaded.ok) throw new Error(`cannot load ${tsFile}: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
  const value = { $schema: schemaRef, ...(loaded.loaded.value as Record<string, unknown>) };
  return { value, text: JSON.stringify(value, null, 2) + "\n" };
}

/** A back-reference `hosts["netmaker-gateway"].uplink (topology.json:103)` -> its last path segment. */
export function lastSegment(path: string): string | number {
  const bracket = /\[("(?:[^"\\]|\\.)*"|\d+)\]$/.exec(path);
  if (bracket) return bracket[1]!.startsWith('"') ? (JSON.parse(bracket[1]!) as string) : Number(bracket[1]);
  return path.slice(path.lastIndexOf(".") + 1);
}
