/**
 * lower/nftables: the host's own nftables tables, and the module that loads them. topo replaces
 * the stock NixOS firewall (networking.firewall.enable = false) with its table `inet topo-filter`,
 * so one ruleset, visible in the diff, decides; NixOS deletes and re-creates only topo's tables on
 * reload, so other software's tables survive.
 *
 * The forward chain and the NAT table are composed from every concept's facts (compose.ts, in the
 * order src/policy/compose/facts.ts documents); the input chain places each concept's rules by rank
 * (input.ts). Concepts add sets, regular chains and tables of their own through NFT_PARTS.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { hostPolicyFacts } from "../../policy/compose/forward.js";
import { readFile, type NixAttrs } from "../../render/nix.js";
import { logPrefix, nftFile } from "../../render/nft.js";
import type { ModuleView, NftChain, NftTable } from "../../render/views.js";
import { composeForward, composeNat } from "./compose.js";
import { inputDropLog, inputRules } from "./input.js";
import type { NftLowering } from "./parts.js";
import { lowerVmIsolation } from "./vm-isolation.js";
import { lowerWireguardNft } from "./wireguard.js";
import { lowerPrivacyGuard } from "./privacy.js";

export const FILTER_TABLE = "topo-filter";

/** Concepts that add sets, input rules, chains or tables of their own. */
export const NFT_PARTS: NftLowering[] = [lowerVmIsolation, lowerWireguardNft, lowerPrivacyGuard];

export function lowerNftables(ir: TopologyIR, host: HostIR, parts: readonly NftLowering[] = NFT_PARTS): NftTable[] {
  const ps = parts.map((p) => p(ir, host));
  const facts = hostPolicyFacts(ir, host);
  const input: NftChain = {
    name: "input",
    base: { type: "filter", hook: "input", priority: "filter", policy: "drop" },
    rules: [...inputRules(ir, host, ps.flatMap((p) => p.input ?? [])), ...inputDropLog(host)],
  };
  const chains: NftChain[] = [input, ...composeForward(facts, host.forwarding.ipv4), ...ps.flatMap((p) => p.chains ?? [])];
  const filter: NftTable = { name: FILTER_TABLE, family: "inet", sets: ps.flatMap((p) => p.sets ?? []), maps: [], chains };
  const nat = composeNat(facts, ps.flatMap((p) => p.natSets ?? []));
  return [filter, ...(nat ? [nat] : []), ...ps.flatMap((p) => p.tables ?? [])];
}

export { nftFile };

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
