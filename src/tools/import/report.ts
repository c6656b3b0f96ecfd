/**
 * What `topo import` could not carry over, and why. Every path the mapper reads is marked as used;
 * whatever is left in the state file at the end is reported with its value, so nothing is dropped
 * silently. Known op-dbus features topo does not model get a reason; the rest say "not understood".
 */
export interface NotMapped {
  /** Path in the state file, e.g. `lxc.containers[0].template`. */
  readonly path: string;
  /** The value, shortened. */
  readonly value: string;
  readonly reason: string;
}

export interface Assumed {
  /** Path in the written topology, e.g. `hosts.host1.uplink`. */
  readonly path: string;
  readonly value: string;
  readonly why: string;
}

export interface ImportReport {
  readonly notMapped: NotMapped[];
  readonly assumed: Assumed[];
}

export type StatePath = readonly (string | number)[];

export function formatStatePath(path: StatePath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function shorten(value: unknown, max = 60): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

export class Tracker {
  private readonly used = new Set<string>();
  private readonly reasons = new Map<string, string>();
  readonly assumed: Assumed[] = [];

  /** The mapper took this value (and everything under it) into the topology. */
  use(path: StatePath): void {
    this.used.add(formatStatePath(path));
  }

  /** The value is known but not carried over, for this reason (reported). */
  skip(path: StatePath, reason: string): void {
    this.reasons.set(formatStatePath(path), reason);
  }

  assume(path: string, value: unknown, why: string): void {
    this.assumed.push({ path, value: shorten(value), why });
  }

  /**
   * Walk the state: every value not used (nor under a used path) is reported, with the reason of
   * its nearest skipped ancestor. A subtree nothing was used from is reported as one entry.
   */
  report(state: unknown): ImportReport {
    const notMapped: NotMapped[] = [];
    const usedKeys = [...this.used];
    const usedUnder = (key: string) => usedKeys.some((u) => key === "" || u.startsWith(key + ".") || u.startsWith(key + "["));
    const walk = (v: unknown, path: StatePath, inherited: string | undefined) => {
      const key = formatStatePath(path);
      if (this.used.has(key)) return;
      const reason = this.reasons.get(key) ?? inherited;
      const container = (Array.isArray(v) && v.length > 0) || (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0);
      if (container && (reason === undefined || usedUnder(key))) {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i], reason));
        else for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, [...path, k], reason);
        return;
      }
      notMapped.push({ path: key || "(root)", value: shorten(v), reason: reason ?? "not understood by topo import" });
    };
    walk(state, [], undefined);
    return { notMapped, assumed: this.assumed };
  }
}
