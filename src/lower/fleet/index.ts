/**
 * The fleet-level targets: the files that belong to no one host. The flake, its checks, the
 * diagrams (docs/graph/) and the model's JSON Schema, as (path -> text) for the tree plan.
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyIR } from "../../ir/types.js";
import { printJsonSchema, SCHEMA_FILE } from "../../model/json-schema.js";
import type { HostView } from "../../render/views.js";
import { planGraphs } from "../graph/plan.js";
import { planChecks } from "./checks.js";
import { lowerFlake } from "./flake.js";

/** `warnings` receives what the fleet-level targets could not do (a test too large to run). */
export function lowerFleetFiles(ir: TopologyIR, hosts: readonly HostView[], warnings: Diagnostic[] = []): Map<string, string> {
  const out = new Map<string, string>([["flake.nix", lowerFlake(ir, hosts)], [SCHEMA_FILE, printJsonSchema()]]);
  for (const [p, text] of planGraphs(ir)) out.set(p, text);
  for (const [p, text] of planChecks(ir, hosts, warnings)) out.set(p, text);
  return out;
}
