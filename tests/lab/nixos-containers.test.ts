/**
 * NixOS containers start on a real host: the `ip` commands nixos-containers.nix (and the
 * container's scripted networking) would run for the generated `containers.<n>` are rendered from
 * the evaluated containers.nix and run with the real `ip`, host side and container side, in
 * namespaces of a lab run (veths created as systemd-nspawn creates them), then the container
 * reaches its gateway. The old output, an extra veth's localAddress with the subnet prefix and no
 * hostBridge, makes the host run `ip route add 10.0.0.104/24 dev veth104`, which the kernel
 * refuses: container@<n> would fail to start.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { containerCommands, type ContainerCommand } from "../../src/lab/generated/nixos-container-commands.js";
import type { JsonObject } from "../../src/lab/generated/tree.js";
import { withRun, type LabRun } from "../../src/lab/runtime/run.js";
import { compileOk, CASES } from "../helpers/compile.js";
import { withProfile } from "../helpers/profiles.js";
import { withTmp } from "../helpers/tmp.js";
import { nixEvalJson, writePlan } from "../helpers/tools.js";

interface Failure {
  readonly container: string;
  readonly command: ContainerCommand;
  readonly stderr: string;
}

/**
 * Start every container of `containers` against one host namespace: the host's bridges stand in
 * as Linux bridges with their addresses (an OVS bridge's late-port service attaches the extra veth
 * after start; a Linux bridge gets it from nspawn), then each container's commands in NixOS order.
 * Returns the failures of commands the module does not allow to fail, and a ping result per container.
 */
function startAll(run: LabRun, containers: Record<string, JsonObject>, bridges: Record<string, string>): { failures: Failure[]; reached: Record<string, boolean> } {
  const hostNs = run.ns("host");
  for (const [br, address] of Object.entries(bridges)) {
    run.ip(hostNs, ["link", "add", br, "type", "bridge"]);
    run.ip(hostNs, ["addr", "add", address, "dev", br]);
    run.ip(hostNs, ["link", "set", br, "up"]);
  }
  const failures: Failure[] = [];
  const reached: Record<string, boolean> = {};
  Object.entries(containers).forEach(([name, c], i) => {
    const ns = run.ns(`ct${i}`);
    const script = containerCommands(name, c);
    const exec = (cmd: ContainerCommand) => {
      const r = run.tryExec(cmd.side === "host" ? hostNs : ns, ["ip", ...cmd.args]);
      if (r.status !== 0 && !cmd.mayFail) failures.push({ container: name, command: cmd, stderr: r.stderr.trim() });
    };
    script.commands.filter((x) => x.step === "preStart").forEach(exec);
    for (const v of script.veths) {
      run.veth({ ns: hostNs, name: v.host }, { ns, name: v.container }, { aUp: false, bUp: false });
      // nspawn's --network-bridge: the host side joins the bridge, up.
      if (v.bridge) run.ip(hostNs, ["link", "set", v.host, "master", v.bridge, "up"]);
    }
    script.commands.filter((x) => x.step !== "preStart").forEach(exec);
    // The OVS late-port service's part: the host side of the extra veth joins the bridge.
    const bridge = c.extraVeths ? Object.keys(bridges)[0] : undefined;
    for (const v of script.veths.filter((x) => !x.bridge && bridge)) run.tryExec(hostNs, ["ip", "link", "set", v.host, "master", bridge!]);
    const gw = (c.config as any)?.networking?.defaultGateway?.address as string | undefined;
    reached[name] = gw !== undefined && run.tryExec(ns, ["ping", "-n", "-q", "-c", "1", "-W", "2", gw], { timeoutMs: 5000 }).status === 0;
  });
  return { failures, reached };
}

const show = (f: Failure) => `${f.container}: ${f.command.side} ${f.command.step}: ip ${f.command.args.join(" ")}: ${f.stderr}`;

test("topo init --profile general: the containers' start commands run without error, and each container reaches its gateway", async () => {
  await withProfile("general", async (dir) => {
    const containers = (nixEvalJson(join(dir, "hosts", "node1", "containers.nix")) as any).containers as Record<string, JsonObject>;
    assert.equal(Object.keys(containers).sort(), ["app", "db"]);
    const { result } = await withRun(async (run) => startAll(run, containers, { vmbr0: "10.0.0.1/24" }));
    assert.equal(result.failures.map(show), []);
    assert.equal(result.reached, { app: true, db: true });
  });
});

test("the old output (extra veth localAddress with prefix, no hostBridge) fails on the host: ip route add with host bits set", async () => {
  await withProfile("general", async (dir) => {
    const generated = (nixEvalJson(join(dir, "hosts", "node1", "containers.nix")) as any).containers.app as JsonObject;
    // What topo generated before: the address with its prefix on the extra veth, nothing in the container's networking.
    const old: JsonObject = { ...generated, extraVeths: { veth104: { localAddress: "10.0.0.104/24" } }, config: { ...(generated.config as JsonObject), networking: { defaultGateway: { address: "10.0.0.1", interface: "veth104" } } } };
    const { result } = await withRun(async (run) => startAll(run, { app: old }, { vmbr0: "10.0.0.1/24" }));
    assert.equal(
      result.failures.map((f) => `${f.command.side} ${f.command.step}: ip ${f.command.args.join(" ")}`),
      ["host postStart: ip route add 10.0.0.104/24 dev veth104"],
    );
    assert.match(result.failures[0]!.stderr, /prefix/i, "the kernel's words: invalid prefix for given prefix length");
  });
});

test("features case: the NixOS containers on OVS (a chain relay, a web server) start without error", async () => {
  const c = await compileOk(join(CASES, "ovs", "features.ts"), "/nonexistent-out");
  await withTmp(async (dir) => {
    writePlan(dir, c.plan);
    const containers = (nixEvalJson(join(dir, "hosts", "box", "containers.nix")) as any).containers as Record<string, JsonObject>;
    const { result } = await withRun(async (run) => startAll(run, containers, { ovsbr0: "10.0.0.1/24" }));
    assert.equal(result.failures.map(show), []);
    assert.ok(Object.keys(containers).length >= 2);
  });
});

test("a NixOS container on a Linux bridge (hostBridge, localAddress with prefix) starts and reaches its gateway", async () => {
  await withTmp(async (dir) => {
    writeFileSync(
      join(dir, "topology.ts"),
      `import { defineTopology } from "topo";
export default defineTopology({
  hosts: {
    box: {
      system: "x86_64-linux",
      stateVersion: "25.11",
      uplink: { interface: "enp1s0", address: "192.0.2.10/24", gateway: "192.0.2.1" },
      bridges: { br0: { kind: "linux", address: "10.5.0.1/24" } },
      containers: { web: { id: 110, bridge: "br0", address: "10.5.0.110/24", gateway: "10.5.0.1", runtime: "nixos" } },
    },
  },
});
`,
    );
    writePlan(dir, (await compileOk(join(dir, "topology.ts"), dir)).plan);
    const containers = (nixEvalJson(join(dir, "hosts", "box", "containers.nix")) as any).containers as Record<string, JsonObject>;
    assert.is(containers.web!.hostBridge, "br0");
    const { result } = await withRun(async (run) => startAll(run, containers, { br0: "10.5.0.1/24" }));
    assert.equal(result.failures.map(show), []);
    assert.equal(result.reached, { web: true });
  });
});

test("the renderer follows nixos-containers.nix: an extra veth without addresses is only brought up; the container's networking addresses it", () => {
  const s = containerCommands("app", {
    privateNetwork: true,
    extraVeths: { veth104: {} },
    config: { networking: { interfaces: { veth104: { ipv4: { addresses: [{ address: "10.0.0.104", prefixLength: 24 }] } } }, defaultGateway: { address: "10.0.0.1", interface: "veth104" } } },
  });
  assert.equal(s.veths, [{ host: "veth104", container: "veth104" }]);
  assert.equal(
    s.commands.map((c) => `${c.side} ${c.step}: ip ${c.args.join(" ")}${c.mayFail ? " || true" : ""}`),
    [
      "host preStart: ip link del dev veth104 || true",
      "container containerInit: ip link set dev veth104 up",
      "container network-addresses-veth104: ip link set dev veth104 up",
      "container network-addresses-veth104: ip addr replace 10.0.0.104/24 dev veth104 nodad",
      "container network-setup: ip -4 route replace 10.0.0.1 proto static dev veth104",
      "container network-setup: ip -4 route replace default proto static via 10.0.0.1 dev veth104",
      "host postStart: ip link set dev veth104 up",
    ],
  );
  // With addresses, the module's routed mode: the container routes to hostAddress, the host to localAddress.
  const routed = containerCommands("x", { privateNetwork: true, extraVeths: { v1: { hostAddress: "10.9.0.1", localAddress: "10.9.0.2" } } });
  assert.ok(routed.commands.some((c) => c.side === "container" && c.args.join(" ") === "route add 10.9.0.1 dev v1"));
  assert.ok(routed.commands.some((c) => c.side === "host" && c.args.join(" ") === "route add 10.9.0.2 dev v1"));
  assert.ok(routed.commands.some((c) => c.side === "host" && c.args.join(" ") === "addr add 10.9.0.1 dev v1"));
});

test.run();
