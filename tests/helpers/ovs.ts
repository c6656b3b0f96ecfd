/**
 * A real Open vSwitch for a test: its own network namespace (random per-run name), its own
 * database and sockets, removed at the end even when the test fails.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import * as assert from "uvu/assert";
import { OvsInstance, type VswitchesData } from "../../src/lab/ovs/daemon.js";
import { compileOk } from "./compile.js";
import { nixEvalJson, writePlan } from "./tools.js";
import { withTmp } from "./tmp.js";

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
    // The namespace and the directory go even when stopping the daemons throws.
    try {
      ovs?.stop();
    } finally {
      sh("ip", ["netns", "del", ns]);
      rmSync(dir, { recursive: true, force: true });
    }
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

/**
 * Compile, build each host's bridges in a real OVS from the evaluated vswitches.nix (as NixOS's
 * <bridge>-netdev.service does), attach the late ports, and check that the switch holds exactly
 * the generated flows (`ovs-ofctl diff-flows`), with the requested port numbers and fail mode.
 */
export async function acceptedByOvs(topologyFile: string, hosts: string[], outDir = dirname(topologyFile)) {
  const { plan } = await compileOk(topologyFile, outDir);
  await withTmp(async (dir) => {
    writePlan(dir, plan);
    for (const host of hosts) {
      const data = nixEvalJson(join(dir, "hosts", host, "vswitches.nix")) as VswitchesData;
      const bridges = Object.keys(data.networking?.vswitches ?? {});
      assert.ok(bridges.length > 0, `${host} has OVS bridges`);
      await withOvs((ovs, prefix) => {
        ovs.applyVswitches(data);
        const late = Object.entries(data.topo?.ovs?.latePorts ?? {});
        late.forEach(([port, p], i) => {
          vethInNs(ovs, port, `${prefix}p${i}`);
          ovs.attachLatePort(port, p.bridge, p.ofport);
        });
        for (const br of bridges) {
          const file = readFileSync(join(dir, "hosts", host, "openflow", `${br}.flows`), "utf8");
          const v = data.networking!.vswitches![br]!;
          assert.is(v.openFlowRules, file, "openFlowRules is the flows file");
          // The switch holds exactly the generated flows: none rejected, none silently replaced.
          const flowsFile = join(ovs.dir, `${br}.flows`);
          const diff = ovs.ofctl(br, "diff-flows", [flowsFile]);
          assert.is(diff.status, 0, `diff-flows ${host}/${br}: ${diff.stderr}`);
          assert.is(diff.stdout.trim(), "", `the switch differs from the generated flows of ${host}/${br}:\n${diff.stdout}`);
          const dumped = ovs.dumpFlows(br).split("\n").filter((l) => l.includes("actions="));
          assert.is(dumped.length, flowLines(file).length, `${host}/${br}: every generated flow is installed`);
          // Port numbers are the requested ones, so names read back where the flows used numbers.
          for (const [port, p] of late.filter(([, q]) => q.bridge === br)) {
            assert.is(ovs.vsctl(["get", "interface", port, "ofport"]).stdout.trim(), String(p.ofport), `${port} has ofport ${p.ofport}`);
          }
          const named = ovs.dumpFlows(br, { names: true });
          for (const [port] of late.filter(([, q]) => q.bridge === br)) {
            if (file.includes(`in_port=${data.topo!.ovs!.latePorts![port]!.ofport},`)) assert.match(named, `in_port=${port}`);
          }
          assert.is(ovs.vsctl(["get-fail-mode", br]).stdout.trim(), "secure");
          // diff-flows can fail: the same switch against the file with one flow left out.
          const lines = file.split("\n");
          const first = lines.findIndex((l) => l.startsWith("table="));
          const fewer = join(ovs.dir, `${br}.fewer.flows`);
          writeFileSync(fewer, lines.filter((_, i) => i !== first).join("\n"));
          const d2 = ovs.ofctl(br, "diff-flows", [fewer]);
          assert.is(d2.status, 2, "diff-flows exits 2 on a difference");
          assert.match(d2.stdout, /^-/m, "diff-flows reports the flow the file lacks");
        }
      });
    }
  });
}

