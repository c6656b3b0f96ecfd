/**
 * lower/nftables: the host's own nftables tables, and the module that loads them. topo replaces
 * the stock NixOS firewall (networking.firewall.enable = false) with its table `inet topo-filter`,
 * so one ruleset, visible in the diff, decides; NixOS deletes and re-creates only topo's tables on
 * reload, so other software's tables survive.
 */
import type { HostIR, TopologyIR } from "../../ir/types.js";
import { readFile, type NixAttrs } from "../../render/nix.js";
import { logPrefix, nftFile } from "../../render/nft.js";
import type { ModuleView, NftChain, NftTable } from "../../render/views.js";
import { inputDropLog, inputRules } from "./input.js";
import type { NftLowering } from "./parts.js";
import { FORWARD_DROP_CHAIN, FORWARD_DROP_PREFIX, lowerVmIsolation } from "./vm-isolation.js";
import { lowerWireguardNft } from "./wireguard.js";
import { lowerPrivacyGuard } from "./privacy.js";

export const FILTER_TABLE = "topo-filter";

/** Concepts that add sets, input guards, forward rules or tables of their own. */
export const NFT_PARTS: NftLowering[] = [lowerVmIsolation, lowerWireguardNft, lowerPrivacyGuard];

export function lowerNftables(ir: TopologyIR, host: HostIR, parts: readonly NftLowering[] = NFT_PARTS): NftTable[] {
  const ps = parts.map((p) => p(ir, host));
  const input: NftChain = {
    name: "input",
    base: { type: "filter", hook: "input", priority: "filter", policy: "drop" },
    rules: [...inputRules(ir, host, ps.flatMap((p) => p.inputGuards ?? [])), ...inputDropLog(host)],
  };
  const chains: NftChain[] = [input];
  const forward = ps.flatMap((p) => p.forward ?? []);
  if (forward.length) {
    // Policy drop; every drop goes through one chain, so it is logged (rate-limited) in one place.
    chains.push(
      {
        name: "forward",
        base: { type: "filter", hook: "forward", priority: "filter", policy: "drop" },
        rules: [{ text: "ct state vmap { invalid : drop, established : accept, related : accept }" }, ...forward, { text: `goto ${FORWARD_DROP_CHAIN}` }],
      },
      {
        name: FORWARD_DROP_CHAIN,
        rules: [
          ...(ps.some((p) => p.forwardLog) ? [{ text: `limit rate 5/minute burst 10 packets log prefix ${logPrefix(FORWARD_DROP_PREFIX)} level info` }] : []),
          { text: "drop" },
        ],
      },
    );
  }
  chains.push(...ps.flatMap((p) => p.chains ?? []));
  const filter: NftTable = { name: FILTER_TABLE, family: "inet", sets: ps.flatMap((p) => p.sets ?? []), maps: [], chains };
  return [filter, ...ps.flatMap((p) => p.tables ?? [])];
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
