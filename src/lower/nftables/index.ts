/**
 * lower/nftables: the host's own nftables tables, and the module that loads them. topo replaces
 * the stock NixOS firewall (networking.firewall.enable = false) with its table `inet topo-filter`,
 * so one ruleset, visible in the diff, decides; NixOS deletes and re-creates only topo's tables on
 * reload, so other software's tables survive.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { readFile, type NixAttrs } from "../../render/nix.js";
import type { ModuleView, NftChain, NftTable } from "../views.js";
import { inputDropLog, inputRules } from "./input.js";
import { wireguardInputRules, wireguardTables } from "./wireguard.js";

export const FILTER_TABLE = "topo-filter";

export function lowerNftables(ir: TopologyIR, host: HostIR): NftTable[] {
  const input: NftChain = {
    name: "input",
    base: { type: "filter", hook: "input", priority: "filter", policy: "drop" },
    rules: [...inputRules(ir, host), ...wireguardInputRules(ir, host), ...inputDropLog(host)],
  };
  return [{ name: FILTER_TABLE, family: "inet", sets: [], maps: [], chains: [input] }, ...wireguardTables(ir, host)];
}

export function nftFile(table: NftTable): string {
  return `nftables/${table.name}.nft`;
}

/** The module that loads the tables; plain data (builtins.readFile needs no nixpkgs). */
export function lowerFirewallModule(tables: readonly NftTable[]): ModuleView {
  const nixTables: Record<string, NixAttrs> = {};
  for (const t of tables) {
    nixTables[t.name] = { family: t.family, content: readFile(`./${nftFile(t)}`) };
  }
  const value: NixAttrs = {
    networking: {
      firewall: { enable: false },
      nftables: { enable: true, tables: nixTables },
    },
  };
  return { file: "firewall.nix", summary: "nftables tables compiled by topo (the stock NixOS firewall is replaced).", value };
}
