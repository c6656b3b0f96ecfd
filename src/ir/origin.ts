import type { Origin } from "./types.js";

/**
 * The back-reference every generated block carries: its path in the topology,
 * `hosts.hv1.uplink`. Never a line number: a line added above would rewrite every file.
 * Diagnostics carry the line (file:line:col); generated files do not.
 */
export function originComment(origin: Origin, _source?: string): string {
  return origin.path;
}

/** Every origin's line by its path, for diagnostics that quote generated reasons. */
export function originLines(ir: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o.path === "string" && typeof o.line === "number" && !out.has(o.path)) out.set(o.path, o.line);
      for (const x of Object.values(o)) walk(x);
    }
  };
  walk(ir);
  return out;
}

const PATH = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$-]*|\[(?:\d+|"(?:[^"\\]|\\.)*")\])+/g;

/** `hosts.web.firewall` in a reason becomes `hosts.web.firewall (line 10)`: a diagnostic shows lines. */
export function withLines(text: string, lines: ReadonlyMap<string, number>): string {
  return text.replace(PATH, (p) => (lines.has(p) ? `${p} (line ${lines.get(p)})` : p));
}
