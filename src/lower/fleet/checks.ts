/**
 * The flake's checks (checks/): per host, its nftables tables loaded by `nft --check` the way
 * NixOS checks networking.nftables at build time, and the reachability NixOS test.
 */
import type { TopologyIR } from "../../ir/types.js";
import { originComment } from "../../ir/origin.js";
import type { HostView } from "../../render/views.js";
import { nixKey, nixString, path, printNix } from "../../render/nix.js";
import { nftFile } from "../../render/nft.js";
import { renderTemplate } from "../../render/templates.js";
import { beyondTestFramework, reachabilityMachines, reachabilityScript, reachabilityTest, TEST_FRAMEWORK_MAX, TEST_NODE_MODULES } from "./reachability-test.js";
import { warning, type Diagnostic } from "../../diag/diagnostic.js";

export function planChecks(ir: TopologyIR, hosts: readonly HostView[], warnings: Diagnostic[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const systems = [...new Set(ir.hosts.map((h) => h.system))].sort();
  const hostIRs = new Map(ir.hosts.map((h) => [h.name, h]));
  const nft = hosts.map((h) => {
    const hostIR = hostIRs.get(h.name)!;
    const tables = h.nftTables.map((t) => ({ family: t.family, name: t.name, file: path(`../hosts/${h.name}/${nftFile(t)}`) }));
    return { key: nixKey(`nft-${h.name}`), comment: originComment(hostIR.origin, ir.source), host: nixString(h.name), tables: printNix(tables, "      ") };
  });
  const beyond = beyondTestFramework(ir);
  if (beyond) {
    warnings.push(
      warning("TOPO4006", [], `the reachability test would need ${beyond}, beyond the NixOS test framework's ${TEST_FRAMEWORK_MAX}: checks/ has no reachability test`, {
        hint: "`topo verify` probes the whole fleet in network namespaces; `nix flake check` still checks every host's nftables",
      }),
    );
  }
  out.set("checks/default.nix", renderTemplate("checks.nix", { source: ir.source, systems: systems.map(nixString).join(" "), nft, beyond }));
  out.set("checks/nft-check.nix", renderTemplate("nft-check.nix", { source: ir.source }));
  const modules = new Map(hosts.map((h) => [h.name, h.modules.map((m) => m.file).filter((f) => TEST_NODE_MODULES.includes(f)).sort()]));
  const imports = new Map(hosts.map((h) => [h.name, [...(h.imports ?? [])].sort()]));
  if (beyond) return out;
  const test = reachabilityTest(ir);
  const overlong = test.overlong.length ? `${test.overlong.slice(0, 5).join(", ")}${test.overlong.length > 5 ? ` and ${test.overlong.length - 5} more` : ""}` : "";
  out.set("checks/reachability.nix", renderTemplate("reachability.nix", { source: ir.source, overlong, machines: printNix(reachabilityMachines(ir, test, modules, imports), "  ") }));
  out.set("checks/reachability.py", reachabilityScript(ir, test));
  return out;
}
