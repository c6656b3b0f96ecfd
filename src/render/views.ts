/**
 * What lowering produces for a host: NixOS modules as plain data, and nftables tables as
 * structured rules. Renderers turn these into text; nothing here is text yet except single,
 * already-validated nft statements.
 */
import type { NixAttrs } from "./nix.js";

/** A generated NixOS module file of a host: `hosts/<host>/<file>`. */
export interface ModuleView {
  /** File name within the host directory, e.g. "network.nix". */
  readonly file: string;
  /** One line saying what the module holds (goes into the header). */
  readonly summary: string;
  /** The module: a plain attribute set, evaluable without nixpkgs. */
  readonly value: NixAttrs;
}

export interface NftRule {
  /** Back-reference to the topology item the rule comes from. */
  readonly comment?: string;
  readonly text: string;
}

export interface NftChain {
  readonly name: string;
  /** `type filter hook input priority filter; policy drop;` for base chains. */
  readonly base?: { readonly type: "filter" | "nat"; readonly hook: string; readonly priority: string; readonly policy?: "accept" | "drop" };
  readonly rules: readonly NftRule[];
}

export interface NftSet {
  readonly name: string;
  readonly comment?: string;
  readonly type: string;
  readonly flags?: readonly string[];
  readonly elements: readonly string[];
}

export interface NftMap {
  readonly name: string;
  readonly comment?: string;
  readonly type: string;
  readonly elements: readonly (readonly [string, string])[];
}

/** One nftables table, emitted as `hosts/<host>/nftables/<name>.nft` (the table's body). */
export interface NftTable {
  readonly name: string;
  readonly family: "inet" | "ip" | "ip6";
  readonly sets: readonly NftSet[];
  readonly maps: readonly NftMap[];
  readonly chains: readonly NftChain[];
}

/** A generated file that is neither a data module nor an nft table (flows, copied modules). */
export interface GeneratedFile {
  /** Path relative to the output directory. */
  readonly path: string;
  /** The whole text, header included. */
  readonly text: string;
}

export interface HostView {
  readonly name: string;
  readonly modules: readonly ModuleView[];
  readonly nftTables: readonly NftTable[];
  /** Flake-level NixOS modules the host's configuration needs, e.g. `microvm.nixosModules.host`. */
  readonly flakeModules: readonly string[];
  /** Other files of the host (OpenFlow rules, copies of topo's hand-written modules). */
  readonly files?: readonly GeneratedFile[];
  /** Extra imports of the host's default.nix, relative to its directory. */
  readonly imports?: readonly string[];
}
