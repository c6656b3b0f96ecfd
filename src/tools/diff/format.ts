/**
 * The three faces of a topo diff: plain text for a terminal, Markdown for a pull-request comment,
 * JSON for tools. Each says the same things in the same order.
 */
import type { Changed, Item, ReachabilityChange, TopoDiff } from "./semantic.js";

export interface DiffHeader {
  /** The revision compared with, e.g. "merge base with main". */
  readonly base: string;
  readonly commit: string;
  /** The topology file, as the user named it. */
  readonly file: string;
}

const fields = (i: Item) =>
  Object.entries(i.fields)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
const cell = (c: ReachabilityChange) => `${c.from} -> ${c.to} ${c.proto}${c.port !== undefined ? `/${c.port}` : ""}`;
const changeText = (c: Changed) => c.changes.map((x) => `${x.field}: ${x.before ?? "(none)"} -> ${x.after ?? "(none)"}`).join("; ");

export function isEmpty(d: TopoDiff): boolean {
  return !d.added.length && !d.removed.length && !d.changed.length && !d.reachability.newlyAllowed.length && !d.reachability.nowBlocked.length && !d.files.added.length && !d.files.removed.length && !d.files.changed.length;
}

export function formatText(d: TopoDiff, h: DiffHeader): string {
  const out = [`topo diff: ${h.file} at ${h.base} (${h.commit.slice(0, 12)}) -> working tree`];
  if (isEmpty(d)) return out.concat("", "No change.").join("\n") + "\n";
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push("", title, ...lines.map((l) => `  ${l}`));
  };
  section("Added", d.added.map((i) => `+ ${i.kind} ${i.id}${Object.keys(i.fields).length ? `  (${fields(i)})` : ""}`));
  section("Removed", d.removed.map((i) => `- ${i.kind} ${i.id}`));
  section("Changed", d.changed.map((c) => `~ ${c.kind} ${c.id}: ${changeText(c)}`));
  section("Reachability", [
    ...d.reachability.newlyAllowed.map((c) => `newly allowed: ${cell(c)}  [${c.reason}]`),
    ...d.reachability.nowBlocked.map((c) => `now blocked:   ${cell(c)}  [${c.reason}]`),
  ]);
  section("Generated files", [...d.files.added.map((p) => `+ ${p}`), ...d.files.removed.map((p) => `- ${p}`), ...d.files.changed.map((p) => `~ ${p}`)]);
  return out.join("\n") + "\n";
}

/** Markdown: text cells are escaped so names and reasons cannot turn into markup or break tables. */
const md = (s: string) => s.replace(/[\\`*_[\]<>|~#]/g, (c) => `\\${c}`);
const code = (s: string) => "`" + s.replace(/`/g, "'") + "`";

export function formatMarkdown(d: TopoDiff, h: DiffHeader): string {
  const out = [`### topo diff`, "", `${code(h.file)} at ${md(h.base)} (${code(h.commit.slice(0, 12))}) → this branch`];
  if (isEmpty(d)) return out.concat("", "No change.").join("\n") + "\n";
  const r = d.reachability;
  if (r.newlyAllowed.length || r.nowBlocked.length) {
    out.push("", "#### Reachability", "", "| | from | to | service | why |", "|---|---|---|---|---|");
    for (const c of r.newlyAllowed) out.push(`| 🟢 newly allowed | ${code(c.from)} | ${code(c.to)} | ${c.proto}${c.port !== undefined ? `/${c.port}` : ""} | ${md(c.reason)} |`);
    for (const c of r.nowBlocked) out.push(`| 🔴 now blocked | ${code(c.from)} | ${code(c.to)} | ${c.proto}${c.port !== undefined ? `/${c.port}` : ""} | ${md(c.reason)} |`);
  }
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push("", `#### ${title}`, "", ...lines);
  };
  section("Added", d.added.map((i) => `- **${md(i.kind)}** ${code(i.id)}${Object.keys(i.fields).length ? ` — ${md(fields(i))}` : ""}`));
  section("Removed", d.removed.map((i) => `- **${md(i.kind)}** ${code(i.id)}`));
  section("Changed", d.changed.map((c) => `- **${md(c.kind)}** ${code(c.id)}: ${c.changes.map((x) => `${md(x.field)} ${code(x.before ?? "(none)")} → ${code(x.after ?? "(none)")}`).join("; ")}`));
  const files = [...d.files.added.map((p) => `- added ${code(p)}`), ...d.files.removed.map((p) => `- removed ${code(p)}`), ...d.files.changed.map((p) => `- changed ${code(p)}`)];
  if (files.length) out.push("", `<details><summary>Generated files (${files.length})</summary>`, "", ...files, "", "</details>");
  return out.join("\n") + "\n";
}

export function formatJson(d: TopoDiff, h: DiffHeader): string {
  return JSON.stringify({ base: h.base, commit: h.commit, file: h.file, ...d }, null, 2) + "\n";
}
