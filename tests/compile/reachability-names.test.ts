/**
 * The reachability test's machines on the nspawn backend: nixpkgs' run-nspawn names each machine's
 * NIC on the builder's side `<machine>-<nic>` and makes it with `ip link add`, which takes 15
 * characters at most. The names come from evaluating the generated reachability.nix with the real
 * Nix evaluator, and each pair is made by the real kernel (`ip link add` in a namespace of its own).
 * Long readable names get short ones (the reference fleet's did not fit); a NIC too long for any
 * machine name keeps the test on QEMU; adding a VM renames no other machine. Past the framework's
 * 255 VLANs or machines, no test at all, and a warning.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../src/compile.js";
import { ROOT } from "../helpers/compile.js";
import { withTmp } from "../helpers/tmp.js";
import { run, writePlan } from "../helpers/tools.js";

/** Evaluate checks/reachability.nix as a test framework with or without `containers` would. */
function evalTest(dir: string, nspawn: boolean): { name: string; machines: Record<string, string[]> } {
  const expr = `let t = (import ${join(dir, "checks/reachability.nix")} { options = ${nspawn ? "{ containers = null; }" : "{ }"}; }).config;
    in { inherit (t) name; machines = builtins.mapAttrs (_: m: builtins.attrNames (m.virtualisation.interfaces or { })) (t.containers or t.nodes); }`;
  const r = run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The builder-side names run-nspawn would make, each tried with `ip link add` in a fresh network namespace: the ones the kernel refuses. */
function refused(machines: Record<string, string[]>): string[] {
  const pairs = Object.entries(machines).flatMap(([m, nics]) => nics.map((n) => [`${m}-${n}`, n] as const));
  const script = pairs.map(([host, nic], i) => `ip link add '${host}' type veth peer name 'p${i}' 2>/dev/null || echo '${host}'`).join("\n");
  const r = run("unshare", ["-n", "sh", "-c", script]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(pairs.length > 0);
  return r.stdout.split("\n").filter(Boolean).sort();
}

async function compiled(value: object, dir: string) {
  const r = compile({ file: join(dir, "topology.ts"), source: `export default ${JSON.stringify(value, null, 2)};\n`, value } as never, { outDir: dir });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  writePlan(dir, r.compiled.plan);
  return r.compiled;
}

test("reference fleet: every <machine>-<nic> of the test fits the kernel's 15 characters, so it runs on nspawn", async () => {
  await withTmp(async (dir) => {
    const { compileOk } = await import("../helpers/compile.js");
    writePlan(dir, (await compileOk(join(ROOT, "topology.ts"), dir)).plan);
    const t = evalTest(dir, true);
    assert.is(t.name, "topo-reachability-nspawn");
    assert.equal(refused(t.machines), []);
    // The readable names that did not fit (the host's own among them) were the ones shortened.
    assert.not.ok("oo1424oo-gateway" in t.machines);
    assert.ok("hv1-vm1" in t.machines, Object.keys(t.machines).join(" "));
    assert.ok(Object.keys(t.machines).length >= 15);
    assert.is(evalTest(dir, false).name, "topo-reachability-qemu");
  });
});

function fleet(vms: string[]) {
  return {
    name: "names",
    hosts: {
      "hypervisor-west": {
        system: "x86_64-linux",
        stateVersion: "25.11",
        uplink: { interface: "enp1s0", address: "203.0.113.2/24", gateway: "203.0.113.1" },
        vmNetwork: { pool: "10.0.0.0/8", prefixLength: 24, vms: Object.fromEntries(vms.map((v) => [v, { vcpu: 1, memory: 512 }])) },
      },
      small: { system: "x86_64-linux", stateVersion: "25.11", uplink: { interface: "enp1s0", address: "203.0.113.3/24", gateway: "203.0.113.1" } },
    },
  };
}

test("a NIC too long for any machine name keeps the test on QEMU, and says which", async () => {
  await withTmp(async (dir) => {
    // A TAP of 14 characters: no machine name of four leaves room for it.
    const c = await compiled(fleet(["db", "analytics01"]), dir);
    const tap = c.ir.hosts[0]!.vmNetwork!.vms.find((v) => v.name === "analytics01")!.tap;
    assert.is(tap.length, 14);
    const t = evalTest(dir, true);
    assert.is(t.name, "topo-reachability-qemu");
    const over = refused(t.machines);
    assert.ok(over.length > 0 && over.every((n) => n.endsWith(`-${tap}`)), over.join(" "));
    const text = c.plan.get("checks/reachability.nix")!;
    assert.match(text, /# Always QEMU here: .*would exceed/);
  });
});

/** Every machine's NICs with their VLANs, as the test framework reads them. */
function vlansOf(dir: string): Record<string, Record<string, number>> {
  const expr = `builtins.mapAttrs (_: m: builtins.mapAttrs (_: i: i.vlan) (m.virtualisation.interfaces or { })) (import ${join(dir, "checks/reachability.nix")} { options = { containers = null; }; }).config.containers`;
  const r = run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("adding a VM renames no other machine and renumbers no VLAN of the test: its diff is the VM", async () => {
  await withTmp(async (a) => {
    await withTmp(async (b) => {
      const two = fleet(["db", "web"]);
      // A second hypervisor whose guests come after the first's: sequential VLANs would all move.
      const withOther = (f: ReturnType<typeof fleet>) => ({ ...f, hosts: { ...f.hosts, zeta: { ...two.hosts["hypervisor-west"], uplink: { interface: "enp1s0", address: "203.0.113.4/24", gateway: "203.0.113.1" } } } });
      await compiled(withOther(two), a);
      await compiled(withOther(fleet(["db", "web", "cache"])), b);
      const before = Object.keys(evalTest(a, true).machines);
      const after = Object.keys(evalTest(b, true).machines);
      assert.equal(after.filter((m) => !before.includes(m)).length, 1, after.join(" "));
      assert.equal(before.filter((m) => !after.includes(m)), []);
      assert.equal(refused(evalTest(b, true).machines), []);
      const [va, vb] = [vlansOf(a), vlansOf(b)];
      for (const m of before) for (const [nic, vlan] of Object.entries(va[m]!)) assert.is(vb[m]![nic], vlan, `${m} ${nic}`);
      const all = Object.values(vb).flatMap((nics) => Object.values(nics));
      assert.ok(all.every((v) => v >= 1 && v <= 255), all.join(" "));
    });
  });
});

test("no VLAN takes the number of a 192.168.N.0/24 the fleet uses (nspawn's builder bridge of VLAN N holds 192.168.N.254)", async () => {
  await withTmp(async (a) => {
    await withTmp(async (b) => {
      await compiled(fleet(["db", "web"]), a);
      const guestVlans = Object.entries(vlansOf(a)).filter(([m]) => m !== "router").flatMap(([, nics]) => Object.entries(nics).filter(([n]) => n.startsWith("vm-")).map(([, v]) => v));
      // The same guests, the second host's uplink now in 192.168.<a guest's VLAN>.0/24.
      const n = guestVlans[0]!;
      const f = fleet(["db", "web"]);
      const moved = { ...f, hosts: { ...f.hosts, small: { ...f.hosts.small, uplink: { interface: "enp1s0", address: `192.168.${n}.10/24`, gateway: `192.168.${n}.1` } } } };
      await compiled(moved, b);
      const all = Object.values(vlansOf(b)).flatMap((nics) => Object.values(nics));
      assert.not.ok(all.includes(n), `VLAN ${n} is not used (${all.join(" ")})`);
    });
  });
});

/** One hypervisor with `n` VMs: a VLAN for its uplink and one per VM. */
function manyVms(n: number) {
  const vms = Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, { vcpu: 1, memory: 256 }]));
  return { name: "many", hosts: { hv: { system: "x86_64-linux", stateVersion: "25.11", uplink: { interface: "enp1s0", address: "203.0.113.2/24", gateway: "203.0.113.1" }, vmNetwork: { pool: "10.0.0.0/8", prefixLength: 24, vms } } } };
}

test("past the test framework's 255 machines the fleet gets no reachability test, says so, and its checks still parse; at 255 it gets one", async () => {
  await withTmp(async (dir) => {
    // 253 VMs: 255 machines with the host and the router, 254 VLANs.
    const at = await compiled(manyVms(253), dir);
    assert.ok(at.plan.has("checks/reachability.nix"));
    assert.match(at.plan.get("checks/default.nix")!, /reachability = pkgs\.testers\.runNixOSTest/);
    assert.equal(at.warnings.map((w) => w.code), []);
  });
  await withTmp(async (dir) => {
    const value = manyVms(254);
    const over = await compiled(value, dir);
    assert.not.ok(over.plan.has("checks/reachability.nix"));
    assert.not.ok(over.plan.has("checks/reachability.py"));
    const checks = over.plan.get("checks/default.nix")!;
    assert.not.match(checks, /reachability =/);
    assert.match(checks, /# No reachability test: it would need 256 machines, beyond/);
    assert.is(run("nix-instantiate", ["--parse", join(dir, "checks/default.nix")]).status, 0);
    assert.equal(over.warnings.map((w) => [w.code, w.severity]), [["TOPO4006", "warning"]]);
    // The CLI says it, and still writes the tree.
    writeFileSync(join(dir, "topology.json"), JSON.stringify(value));
    const cli = run(process.execPath, [join(ROOT, "bin/topo.js"), "compile", join(dir, "topology.json"), "--out", join(dir, "cli")]);
    assert.is(cli.status, 0, cli.stderr);
    assert.match(cli.stderr, /warning TOPO4006: the reachability test would need 256 machines/);
    assert.ok(existsSync(join(dir, "cli/checks/default.nix")));
  });
});

test.run();
