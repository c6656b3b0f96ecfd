/**
 * Mistakes in OVS bridges, chains and containers are reported at their line in topology.ts, with
 * their code, and nothing is generated.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { compileFile } from "../helpers/compile.js";
import { withTmp } from "../helpers/tmp.js";

/** A one-host topology around `bridge` and `extra` host fields; `// <-` marks the expected line. */
function topology(bridge: string, extra = ""): string {
  return `import type { TopologyInput } from "topo";
export default {
  hosts: {
    h1: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "eth0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      bridges: {
        vmbr0: {
          kind: "ovs",
          address: "10.0.0.1/24",
${bridge}
        },
      },
      containers: {
        gateway: { id: 100, bridge: "vmbr0", address: "10.0.0.100/24", role: "privacy" },
        xray: { id: 102, bridge: "vmbr0", address: "10.0.0.102/24" },
        mcp: { id: 200, bridge: "vmbr0", address: "10.0.0.200/24", role: "management" },
      },
      tunnels: {
        warp0: { endpoint: "198.51.100.20:2408", publicKey: "5FahZ7WvfqosT711PZ3uKM5c85Hz7i24vse0SncRdkw=", address: "172.16.0.2/32", bridge: "vmbr0", usedBy: ["gateway"] },
      },
${extra}
    },
  },
} satisfies TopologyInput;
`;
}

async function diagnose(source: string) {
  return withTmp(async (dir) => {
    const f = join(dir, "topology.ts");
    writeFileSync(f, source);
    const r = await compileFile(f, dir);
    assert.is(r.ok, false, "the topology must be rejected");
    const line = source.split("\n").findIndex((l) => l.includes("// <-")) + 1;
    return { diags: r.ok ? [] : r.diagnostics, line };
  });
}

async function expectAt(source: string, code: string, message: RegExp) {
  const { diags, line } = await diagnose(source);
  const d = diags.find((x) => x.code === code);
  assert.ok(d, `expected ${code}, got ${diags.map((x) => `${x.code} ${x.message}`).join("; ")}`);
  assert.match(d!.message, message);
  assert.is(d!.span?.line, line, `${code} at the marked line`);
  return d!;
}

test("a port match without tcp/udp is an error at its line (TOPO3011)", async () => {
  await expectAt(topology(`          flows: [
            { priority: 100, match: { dstPort: 53 }, actions: ["drop"] }, // <-
          ],`), "TOPO3011", /needs proto "tcp" or "udp"/);
});

test("a port name that names no attachment is an error at its line (TOPO3001), with a guess", async () => {
  const d = await expectAt(topology(`          flows: [
            { priority: 100, match: { inPort: "veth100" }, actions: [{ output: "warp1" }] }, // <-
          ],`), "TOPO3001", /warp1/);
  assert.match(d.hint ?? "", /warp0/);
});

test("an unknown in_port, container address name, and policy selector are errors (TOPO3001)", async () => {
  await expectAt(topology(`          flows: [
            { priority: 100, match: { inPort: "veth999" }, actions: ["normal"] }, // <-
          ],`), "TOPO3001", /veth999/);
  await expectAt(topology(`          flows: [
            { priority: 100, match: { dst: "xrey" }, actions: ["normal"] }, // <-
          ],`), "TOPO3001", /xrey/);
  await expectAt(topology(`          flowPolicies: {
            p: { selector: "container:101", actions: ["normal"] }, // <-
          },`), "TOPO3001", /101/);
});

test("drop with other actions, a backward goto, duplicate flows (TOPO3011); reserved priorities (TOPO2001)", async () => {
  await expectAt(topology(`          flows: [
            { priority: 100, actions: ["drop", "normal"] }, // <-
          ],`), "TOPO3011", /only action/);
  await expectAt(topology(`          flows: [
            { table: 5, priority: 100, actions: [{ goto: 2 }] }, // <-
          ],`), "TOPO3011", /forward/);
  await expectAt(topology(`          flows: [
            { priority: 100, match: { proto: "tcp", dstPort: 80 }, actions: ["normal"] },
            { priority: 100, match: { proto: "tcp", dstPort: 80 }, actions: ["drop"] }, // <-
          ],`), "TOPO3011", /same table, priority and match/);
  await expectAt(topology(`          flows: [
            { priority: 65000, actions: ["normal"] }, // <-
          ],`), "TOPO2001", /reserved/);
});

test("chains: unknown hop, loop, tunnel not last, usedBy missing (TOPO3009)", async () => {
  const chain = (hops: string) => topology("", `      chains: {\n        c: { bridge: "vmbr0", hops: ${hops} }, // <-\n      },`);
  await expectAt(chain(`["gateway", "wrap0"]`), "TOPO3009", /wrap0.*neither a container nor a tunnel/);
  await expectAt(chain(`["gateway", "xray", "gateway"]`), "TOPO3009", /loops/);
  await expectAt(chain(`["gateway", "warp0", "xray"]`), "TOPO3009", /must be the last hop/);
  await expectAt(chain(`["xray", "warp0"]`), "TOPO3009", /usedBy does not name it/);
  await expectAt(chain(`["mcp", "warp0"]`), "TOPO3009", /management/);
});

test("a NixOS container name over 11 characters or with '_' (TOPO4003)", async () => {
  const src = topology("").replace(`xray: { id: 102, bridge: "vmbr0", address: "10.0.0.102/24" },`, `xray_client_x: { id: 102, bridge: "vmbr0", address: "10.0.0.102/24", runtime: "nixos" }, // <-`);
  await expectAt(src, "TOPO4003", /'_' is not allowed/);
});

test("a container id that cannot be an OpenFlow port number (TOPO4005)", async () => {
  const src = topology("").replace(`xray: { id: 102,`, `xray: { id: 70000, // <-\n`);
  await expectAt(src, "TOPO4005", /70000/);
});

test.run();
