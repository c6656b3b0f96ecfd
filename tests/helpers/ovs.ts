/**
 * A real Open vSwitch for a test: its own network namespace (random per-run name), its own
 * database and sockets, removed at the end even when the test fails.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OvsInstance } from "../../src/lab/ovs/daemon.js";

export function sh(cmd: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export async function withOvs<T>(fn: (ovs: OvsInstance, prefix: string) => Promise<T> | T): Promise<T> {
  const prefix = `tovs${randomBytes(3).toString("hex")}`;
  const ns = `${prefix}-h`;
  const dir = mkdtempSync(join(tmpdir(), "topo-ovs-"));
  let ovs: OvsInstance | undefined;
  try {
    if (sh("ip", ["netns", "add", ns]).status !== 0) throw new Error(`cannot create namespace ${ns} (root needed)`);
    sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
    ovs = OvsInstance.start(ns, dir);
    return await fn(ovs, prefix);
  } finally {
    ovs?.stop();
    sh("ip", ["netns", "del", ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A veth pair inside the OVS namespace: `name` (to be a port) and a peer, both up. */
export function vethInNs(ovs: OvsInstance, name: string, peer: string): void {
  const r = sh("ip", ["-n", ovs.ns, "link", "add", name, "type", "veth", "peer", "name", peer]);
  if (r.status !== 0) throw new Error(`veth ${name}: ${r.stderr}`);
  sh("ip", ["-n", ovs.ns, "link", "set", name, "up"]);
  sh("ip", ["-n", ovs.ns, "link", "set", peer, "up"]);
}

/** Flow lines of a generated .flows file (comments and blank lines dropped). */
export function flowLines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
}
