/**
 * The nftables printer, and the few quoting helpers lowering uses to build statements. Every
 * interface name is checked against the name rule before it is quoted, so no topology string can
 * close a quote or start a new statement.
 */
import type { NftChain, NftMap, NftSet, NftTable } from "./views.js";

/** Where a host's table goes in its directory: `nftables/<table>.nft`. */
export function nftFile(table: Pick<NftTable, "name">): string {
  return `nftables/${table.name}.nft`;
}

const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}\*?$/;

/** `"vmbr0"`; a trailing `*` is nft's interface wildcard (`"vm-*"`). */
export function ifname(name: string): string {
  if (!IFNAME.test(name)) throw new Error(`internal: unsafe interface name ${JSON.stringify(name)} reached the nft printer`);
  return `"${name}"`;
}

/** `{ "a", "b" }` or a single element; elements must already be printed. */
export function anonSet(items: readonly (string | number)[]): string {
  if (items.length === 1) return String(items[0]);
  return `{ ${items.join(", ")} }`;
}

export function ports(list: readonly number[], ranges: readonly { from: number; to: number }[] = []): string {
  return anonSet([...list.map(String), ...ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`))]);
}

/** A log prefix: printable ASCII without quotes or backslashes, as nft wants it. */
export function logPrefix(s: string): string {
  if (!/^[A-Za-z0-9 _:>.-]{1,127}$/.test(s)) throw new Error(`internal: unsafe log prefix ${JSON.stringify(s)}`);
  return `"${s}"`;
}

function comment(c: string | undefined, indent: string): string {
  return c === undefined ? "" : `${indent}# ${c.replace(/[^\x20-\x7e]/g, "?")}\n`;
}

function printSet(s: NftSet): string {
  const lines = [`  set ${s.name} {`, `    type ${s.type}`];
  if (s.flags?.length) lines.push(`    flags ${s.flags.join(", ")}`);
  if (s.elements.length) lines.push(`    elements = {\n${s.elements.map((e) => `      ${e},`).join("\n")}\n    }`);
  lines.push("  }");
  return comment(s.comment, "  ") + lines.join("\n");
}

function printMap(m: NftMap): string {
  const lines = [`  map ${m.name} {`, `    type ${m.type}`];
  if (m.elements.length) lines.push(`    elements = {\n${m.elements.map(([k, v]) => `      ${k} : ${v},`).join("\n")}\n    }`);
  lines.push("  }");
  return comment(m.comment, "  ") + lines.join("\n");
}

function printChain(c: NftChain): string {
  const lines = [`  chain ${c.name} {`];
  if (c.base) {
    const policy = c.base.policy ? ` policy ${c.base.policy};` : "";
    lines.push(`    type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority};${policy}`);
  }
  for (const r of c.rules) lines.push(`${comment(r.comment, "    ")}    ${r.text}`);
  lines.push("  }");
  return lines.join("\n");
}

/** The body of `table <family> <name> { ... }`: what NixOS's networking.nftables.tables.<n>.content takes. */
export function printTableBody(t: NftTable): string {
  return [...t.sets.map(printSet), ...t.maps.map(printMap), ...t.chains.map(printChain)].join("\n\n") + "\n";
}

/** The whole table, as `nft -f` loads it (tests and `topo verify` wrap the body this way, as NixOS does). */
export function wrapTable(t: Pick<NftTable, "family" | "name">, body: string): string {
  return `table ${t.family} ${t.name} {\n${body}}\n`;
}
