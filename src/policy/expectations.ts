/**
 * Expectations against the policy: an expectation whose cell the intended reachability matrix
 * decides must agree with it (TOPO3007, at the expectation). Cells the matrix does not cover yet
 * are not judged here; `topo verify` proves them on the lab when it can. External endpoints
 * (`external.wan`...) must be ones a contributor declares (TOPO3001).
 */
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { originLines, withLines } from "../ir/origin.js";
import type { TopologyIR } from "../ir/types.js";
import { cellScope, intentFor, type IntentCell, type IntentMatrix } from "./intent.js";
import { closest } from "../check/suggest.js";

const service = (c: { proto: string; port?: number }) => (c.port !== undefined ? `${c.proto}/${c.port}` : c.proto);

/** The matrix needs only the expectations' own cells: the whole matrix is all pairs of endpoints. */
export function checkExpectations(ir: TopologyIR, matrix: IntentMatrix = intentFor(ir, cellScope(ir.expectations))): Diagnostic[] {
  const out: Diagnostic[] = [];
  let lines: Map<string, number> | undefined;
  const externals = matrix.endpoints.filter((e) => e.kind === "external").map((e) => e.id);
  const isExternal = new Set(externals);
  const cells = new Map<string, IntentCell>();
  for (const c of matrix.cells) cells.set(`${c.from}|${c.to}|${c.proto}|${c.port ?? ""}`, c);
  ir.expectations.forEach((e, i) => {
    for (const end of ["from", "to"] as const) {
      const ref = e[end];
      if (ref.startsWith("external.") && !isExternal.has(ref)) {
        const guess = closest(ref, externals);
        out.push(error("TOPO3001", ["expectations", i, end], `endpoint \`${ref}\` is not declared`, { hint: guess ? `did you mean \`${guess}\`?` : `external endpoints: ${externals.join(", ")}` }));
      }
    }
    const cell = cells.get(`${e.from}|${e.to}|${e.proto}|${e.port ?? ""}`);
    if (!cell || cell.allowed === e.reach) return;
    // The reason names topology paths (as generated comments do); a diagnostic adds their lines.
    const reason = withLines(cell.reason, (lines ??= originLines(ir)));
    out.push(
      error(
        "TOPO3007",
        ["expectations", i, "reach"],
        `expectation says ${e.from} ${e.reach ? "reaches" : "does not reach"} ${e.to} on ${service(e)}, but the policy ${cell.allowed ? "allows" : "blocks"} it: ${reason}`,
        { hint: e.reach ? "open the port (or trust the interface) where the reason points, or expect `reach: false`" : "close the port (or stop trusting the interface) where the reason points, or expect `reach: true`" },
      ),
    );
  });
  return out;
}
