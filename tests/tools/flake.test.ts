/**
 * The flake's fleet outputs, evaluated by the real Nix evaluator against stub inputs (no nixpkgs
 * here): nixosConfigurations, the Colmena hive, and checks.<system>. The per-host nft checks' build
 * scripts are run for real (nft --check in a network namespace, without the LKL preload that only
 * a Nix build has), and the reachability test script is run against a recording stand-in for the
 * NixOS test driver. What cannot run here: building any of it with nixpkgs, and the VM test itself.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileOk, ROOT } from "../helpers/compile.js";
import { withTmp } from "../helpers/tmp.js";
import { nixParse, run, writePlan } from "../helpers/tools.js";
import { PROFILES, withProfile } from "../helpers/profiles.js";

const STUB_NIXPKGS_DEFAULT = `{ system ? "none", ... }: { importedFor = system; }\n`;

const harness = (tree: string, stub: string) => `
let
  flake = import ${tree}/flake.nix;
  stubPkgs = system: {
    runCommand = name: env: script: { inherit name script; inputs = env.nativeBuildInputs; };
    nftables = "nftables";
    libredirect = "/nonexistent/libredirect";
    lklWithFirewall = { lib = "/nonexistent/lkl"; };
    iana-etc = "/nonexistent/iana-etc";
    testers.runNixOSTest = m: { testModule = if builtins.isPath m then import m else m; };
  };
  nixpkgs = {
    outPath = ${stub};
    lib = {
      nixosSystem = args: { inherit args; };
      genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    };
    legacyPackages = { x86_64-linux = stubPkgs "x86_64-linux"; aarch64-linux = stubPkgs "aarch64-linux"; };
  };
  colmena = { lib.makeHive = hive: { hiveOf = builtins.attrNames hive; }; };
  microvm = { nixosModules.host = "microvm.nixosModules.host"; };
  outputs = flake.outputs { self = outputs; inherit nixpkgs colmena microvm; };
  str = x: if builtins.isPath x then toString x else x;
  node = n: {
    imports = map str (n.imports or [ ]);
    interfaces = n.virtualisation.interfaces or { };
    networks = n.systemd.network.networks or { };
    networking = n.networking or { };
  };
  # The test module as the test framework evaluates it: with its declared options (names only).
  testOn = m: options:
    let t = (m { inherit options; }).config; in
    {
      inherit (t) name testScript;
      machinesAt = builtins.filter (a: a == "nodes" || a == "containers") (builtins.attrNames t);
      nodes = builtins.mapAttrs (_: node) (t.containers or t.nodes);
      defaults = builtins.isFunction t.defaults;
    };
in
{
  inputs = builtins.attrNames flake.inputs;
  nixosConfigurations = builtins.mapAttrs (n: c: map str c.args.modules) outputs.nixosConfigurations;
  colmena = builtins.mapAttrs (
    n: v:
    if n == "meta" then
      { nixpkgs = v.nixpkgs.importedFor; nodeNixpkgs = builtins.mapAttrs (_: p: p.importedFor) v.nodeNixpkgs; specialArgs = builtins.attrNames v.specialArgs; }
    else
      { inherit (v) deployment; imports = map str v.imports; }
  ) outputs.colmena;
  colmenaHive = outputs.colmenaHive;
  checks = builtins.mapAttrs (
    system: cs:
    builtins.mapAttrs (
      n: c:
      if n == "reachability" then
        {
          # nixpkgs before NixOS/nixpkgs#538271 declares nodes only; after it, containers too.
          qemu = testOn c.testModule { nodes = { }; name = { }; };
          nspawn = testOn c.testModule { nodes = { }; containers = { }; name = { }; };
        }
      else
        { inherit (c) name script inputs; }
    ) cs
  ) outputs.checks;
}
`;

interface Evaluated {
  inputs: string[];
  nixosConfigurations: Record<string, string[]>;
  colmena: Record<string, any>;
  colmenaHive: { hiveOf: string[] };
  checks: Record<string, Record<string, any>>;
}

/** The compiled reference fleet in a fresh directory, evaluated through its flake with stub inputs. */
async function evaluateTree(mutate?: (dir: string) => void): Promise<{ dir: string; out: Evaluated; plan: Map<string, string> }> {
  const c = await compileOk(join(ROOT, "topology.ts"), ROOT);
  return withTmp((dir) => {
    const tree = join(dir, "tree");
    writePlan(tree, c.plan);
    mutate?.(tree);
    const stub = join(dir, "stub-nixpkgs");
    mkdirSync(stub);
    writeFileSync(join(stub, "default.nix"), STUB_NIXPKGS_DEFAULT);
    writeFileSync(join(dir, "eval.nix"), harness(tree, stub));
    // read-write: the .nft files the check scripts name are really added to the store.
    const r = run("nix-instantiate", ["--eval", "--strict", "--json", "--read-write-mode", join(dir, "eval.nix")]);
    if (r.status !== 0) throw new Error(`evaluation failed:\n${r.stderr}`);
    const out = JSON.parse(r.stdout) as Evaluated;
    // Run every nft check script the way the builder would (but in a namespace, without LKL).
    for (const [name, check] of Object.entries(out.checks["x86_64-linux"] ?? {})) {
      if (!name.startsWith("nft-")) continue;
      const work = join(dir, "build", name);
      mkdirSync(work, { recursive: true });
      const b = run("unshare", ["-n", "bash", "-euo", "pipefail", "-c", `out=${JSON.stringify(join(work, "out"))}\n${check.script}`], { cwd: work });
      check.ran = { status: b.status, stderr: b.stderr, out: existsSync(join(work, "out")) };
    }
    return { dir, out, plan: c.plan };
  });
}

test("the generated flake and checks parse", async () => {
  const c = await compileOk(join(ROOT, "topology.ts"), ROOT);
  await withTmp((dir) => {
    writePlan(dir, c.plan);
    for (const f of ["flake.nix", "checks/default.nix", "checks/nft-check.nix", "checks/reachability.nix"]) {
      const r = nixParse(join(dir, f));
      assert.is(r.status, 0, `${f}: ${r.stderr}`);
    }
    const py = run("python3", ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", join(dir, "checks/reachability.py")]);
    assert.is(py.status, 0, py.stderr);
  });
});

test("nixosConfigurations and the Colmena hive deploy the same modules to every host", async () => {
  const { out } = await evaluateTree();
  assert.equal(out.inputs, ["colmena", "microvm", "nixpkgs"]);
  const hosts = ["hv1", "netmaker-gateway", "node2", "oo1424oo"];
  assert.equal(Object.keys(out.nixosConfigurations).sort(), hosts);
  assert.equal(Object.keys(out.colmena).sort(), [...hosts, "meta"].sort());
  assert.equal(out.colmena.meta.nodeNixpkgs, { hv1: "aarch64-linux", "netmaker-gateway": "x86_64-linux", node2: "x86_64-linux", oo1424oo: "x86_64-linux" });
  assert.equal(out.colmena.meta.specialArgs, ["inputs"]);
  for (const h of hosts) {
    assert.equal(out.colmena[h].imports, out.nixosConfigurations[h], h);
    assert.ok(out.nixosConfigurations[h]!.at(-1)!.endsWith(`/hosts/${h}`), h);
  }
  assert.ok(out.nixosConfigurations.hv1!.includes("microvm.nixosModules.host"));
  assert.equal(out.colmena.oo1424oo.deployment, { targetHost: "203.0.113.10", tags: ["x86_64-linux", "privacy-client"] });
  assert.equal(out.colmena["netmaker-gateway"].deployment.targetHost, "198.51.100.10");
  // DHCP: no address to give; the host name (DNS or ~/.ssh/config) is the target.
  assert.equal(out.colmena.hv1.deployment, { targetHost: "hv1", tags: ["aarch64-linux", "vm-host"] });
  assert.equal(out.colmenaHive.hiveOf.sort(), [...hosts, "meta"].sort());
});

test("checks: per host nft --check of its tables, on each system of the fleet; the scripts pass on the generated rulesets", async () => {
  const { out } = await evaluateTree();
  assert.equal(Object.keys(out.checks).sort(), ["aarch64-linux", "x86_64-linux"]);
  for (const system of Object.keys(out.checks)) {
    assert.equal(Object.keys(out.checks[system]!).sort(), ["nft-hv1", "nft-netmaker-gateway", "nft-node2", "nft-oo1424oo", "reachability"]);
  }
  const hv1 = out.checks["x86_64-linux"]!["nft-hv1"];
  assert.is(hv1.name, "topo-nft-check-hv1");
  assert.equal(hv1.inputs, ["nftables"]);
  assert.match(hv1.script, /table inet topo-filter \{/);
  assert.match(hv1.script, /table ip topo-nat \{/);
  assert.match(hv1.script, /liblkl-hijack\.so/);
  for (const [name, c] of Object.entries(out.checks["x86_64-linux"]!)) {
    if (!name.startsWith("nft-")) continue;
    assert.is(c.ran.status, 0, `${name}: ${c.ran.stderr}`);
    assert.ok(c.ran.out, `${name} made $out`);
  }
});

test("an nft check fails when a ruleset is broken", async () => {
  const { out } = await evaluateTree((tree) => appendFileSync(join(tree, "hosts/node2/nftables/topo-filter.nft"), "chain oops { this is not nft }\n"));
  const node2 = out.checks["x86_64-linux"]!["nft-node2"];
  assert.is.not(node2.ran.status, 0);
  assert.match(node2.ran.stderr, /Error/);
  assert.is(out.checks["x86_64-linux"]!["nft-oo1424oo"].ran.status, 0);
});

test("the reachability test: every host a machine (eth0 renamed), its guests on VLANs of their own, the router; nspawn where nixpkgs has it", async () => {
  const { out, plan } = await evaluateTree();
  const { qemu, nspawn } = out.checks["x86_64-linux"]!.reachability;
  // The backend follows the test framework's options: `containers` (systemd-nspawn, no KVM) or QEMU `nodes`.
  assert.is(nspawn.name, "topo-reachability-nspawn");
  assert.equal(nspawn.machinesAt, ["containers"]);
  assert.is(qemu.name, "topo-reachability-qemu");
  assert.equal(qemu.machinesAt, ["nodes"]);
  assert.equal(qemu.nodes, nspawn.nodes, "the same machines on either backend");
  assert.is(nspawn.testScript, `topo_backend = "nspawn"\n${plan.get("checks/reachability.py")}`);
  assert.ok(nspawn.defaults);
  // Machines by intent id: a readable name, or a short one under a comment saying whose (reachability-names.test.ts).
  const m = machineIds(plan.get("checks/reachability.nix")!);
  const t = { nodes: Object.fromEntries(Object.entries(nspawn.nodes).map(([k, v]) => [m.get(k) ?? k, v])) } as typeof nspawn;
  const machines = Object.keys(t.nodes).sort();
  for (const id of ["hv1", "netmaker-gateway", "node2", "oo1424oo", "router"]) assert.ok(machines.includes(id), `${id} is a machine`);
  assert.equal(machines.filter((id) => id.startsWith("hv1-")), ["hv1-vm1", "hv1-vm2", "hv1-vm3", "hv1-vm4", "hv1-vm5"]);
  assert.equal(machines.filter((id) => id.startsWith("oo1424oo.")), ["oo1424oo.gateway", "oo1424oo.mcp-server", "oo1424oo.op-dbus-api", "oo1424oo.xray"]);
  assert.equal(machines.filter((id) => id.startsWith("node2.")), ["node2.custom", "node2.redis", "node2.vector-db"]);
  // netmaker-gateway's uplink is eth0 (QEMU's own NIC): its test NIC is topo-up0, and its modules say so.
  const ng = t.nodes["netmaker-gateway"];
  // VLANs are stable numbers (stableVlans): each NIC's matches its segment's or its guest's, all distinct.
  const vlan = (m: string, nic: string) => t.nodes[m].interfaces[nic].vlan as number;
  assert.equal(Object.keys(ng.interfaces), ["topo-up0"]);
  const [fw, net] = ng.imports;
  assert.is(net.systemd.network.networks["10-eth0"].matchConfig.Name, "topo-up0");
  assert.match(fw.networking.nftables.tables["topo-filter"].content, /iifname "topo-up0" udp dport 51821 accept/);
  assert.not.match(fw.networking.nftables.tables["topo-filter"].content, /"eth0"/);
  assert.equal(Object.keys(t.nodes.node2.interfaces).sort(), ["enp1s0", "veth103", "veth104", "veth105"]);
  assert.is(vlan("node2", "enp1s0"), vlan("oo1424oo", "enp1s0"), "one uplink subnet, one VLAN");
  const uplinks = [vlan("netmaker-gateway", "topo-up0"), vlan("node2", "enp1s0"), vlan("hv1", "enP2p4s0")];
  assert.is(new Set(uplinks).size, 3);
  const guestVlans = ["veth103", "veth104", "veth105"].map((n) => vlan("node2", n));
  assert.is(new Set([...uplinks, ...guestVlans]).size, 6);
  assert.ok([...uplinks, ...guestVlans].every((v) => v >= 1 && v <= 255));
  assert.equal(t.nodes.node2.imports.map((p: string) => p.replace(/^.*?\/(hosts|nixos)\//, "$1/")), ["hosts/node2/firewall.nix", "hosts/node2/network.nix", "hosts/node2/vswitches.nix", "nixos/ovs-late-ports.nix"]);
  // A container is linked to its host by its port's VLAN, addressed as in the topology.
  assert.equal(t.nodes["node2.vector-db"].interfaces, { veth103: { vlan: vlan("node2", "veth103") } });
  assert.equal(t.nodes["node2.vector-db"].networking.interfaces.veth103.ipv4.addresses, [{ address: "10.1.0.103", prefixLength: 24 }]);
  // A microVM guest runs its generated networking on the TAP's VLAN, matched by name, with its MAC.
  const vm1 = t.nodes["hv1-vm1"];
  assert.equal(vm1.interfaces, { "vm-vm1": { vlan: t.nodes.hv1.interfaces["vm-vm1"].vlan } });
  const unit = vm1.imports[0].systemd.network.networks["10-uplink"];
  assert.equal(unit.matchConfig, { Name: "vm-vm1" });
  assert.is(unit.linkConfig.MACAddress, "02:55:2a:37:99:3b");
  assert.equal(unit.address, ["10.1.0.2/24"]);
  // The router on every uplink segment, its NIC named after the VLAN.
  const [ngUp, node2Up, hv1Up] = uplinks.map((v) => `up${v}`) as [string, string, string];
  assert.equal(t.nodes.router.interfaces, { [ngUp]: { vlan: uplinks[0] }, [node2Up]: { vlan: uplinks[1] }, [hv1Up]: { vlan: uplinks[2] } });
  assert.equal(t.nodes.router.networks[`10-${node2Up}`].address, ["203.0.113.1/24"]);
  assert.equal(t.nodes.router.networks[`10-${hv1Up}`].networkConfig, { DHCPServer: true });
});

/** Short machine names of a generated reachability.nix by the id its comment names. */
function machineIds(text: string): Map<string, string> {
  return new Map([...text.matchAll(/# (\S+) \(a short name[^\n]*\n\s*(\S+) = \{/g)].map((x) => [x[2]!, x[1]!] as const));
}

/** checks/reachability.nix of a tree, evaluated as the test framework would with or without `containers`. */
function reachabilityOf(tree: string, nspawn: boolean): { name: string; machines: Record<string, { interfaces: Record<string, { vlan: number }>; imports: any[] }> } {
  const expr = `let t = (import ${tree}/checks/reachability.nix { options = { nodes = { }; ${nspawn ? "containers = { };" : ""} }; }).config;
    str = x: if builtins.isPath x then toString x else x;
  in { inherit (t) name; machines = builtins.mapAttrs (_: n: { interfaces = n.virtualisation.interfaces or { }; imports = map str (n.imports or [ ]); }) (t.containers or t.nodes); }`;
  const r = run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]);
  if (r.status !== 0) throw new Error(r.stderr);
  const out = JSON.parse(r.stdout) as ReturnType<typeof reachabilityOf>;
  // By intent id where the machine has a short name.
  const ids = machineIds(readFileSync(join(tree, "checks/reachability.nix"), "utf8"));
  return { name: out.name, machines: Object.fromEntries(Object.entries(out.machines).map(([k, v]) => [ids.get(k) ?? k, v])) };
}

for (const profile of PROFILES) {
  test(`topo init --profile ${profile}: the reachability test has the host as a machine (its eth0 uplink renamed), on either backend`, async () => {
    await withProfile(profile, (dir, c) => {
      const host = c.hosts[0]!.name;
      for (const nspawn of [true, false]) {
        const t = reachabilityOf(dir, nspawn);
        assert.is(t.name, `topo-reachability-${nspawn ? "nspawn" : "qemu"}`);
        const m = t.machines[host];
        assert.ok(m, `${host} is a machine (${Object.keys(t.machines).join(", ")})`);
        assert.ok(m!.interfaces["topo-up0"], "the uplink eth0 as the test NIC topo-up0");
        assert.ok(t.machines.router!.interfaces[`up${m!.interfaces["topo-up0"]!.vlan}`], "the router on its segment");
        assert.not.ok("eth0" in m!.interfaces);
        const net = m!.imports.find((i) => typeof i === "object" && i.systemd?.network);
        assert.ok(net, "network.nix, renamed");
        assert.ok(Object.values<any>(net.systemd.network.networks).some((u) => u.matchConfig?.Name === "topo-up0"));
      }
      if (profile === "general") {
        const t = reachabilityOf(dir, true);
        assert.equal(Object.keys(t.machines).sort(), [host, `${host}.app`, `${host}.db`, "router"].sort());
        // The NixOS containers run their generated config on a NIC named like their port.
        assert.equal(t.machines[`${host}.app`]!.interfaces, { veth104: { vlan: t.machines[host]!.interfaces.veth104!.vlan } });
        assert.equal(t.machines[`${host}.app`]!.imports[0].networking.interfaces.veth104.ipv4.addresses, [{ address: "10.0.0.104", prefixLength: 24 }]);
      }
    });
  });
}

/** A stand-in for the NixOS test driver's globals: it records what the script asks of each machine. */
const DRIVER = `
import sys, json, contextlib
calls = []
class Machine:
    def __init__(self, name): self.name = name
    def _rec(self, kind, cmd):
        calls.append([self.name, kind, cmd]); return "198.18.1.100/24" if "awk" in cmd else ""
    def succeed(self, cmd, timeout=None): return self._rec("succeed", cmd)
    def fail(self, cmd, timeout=None): return self._rec("fail", cmd)
    def wait_until_succeeds(self, cmd, timeout=None): return self._rec("wait", cmd)
    def wait_for_unit(self, unit, timeout=None): return self._rec("unit", unit)
    def wait_for_open_port(self, port, timeout=None): return self._rec("port", str(port))
machines = [Machine(n) for n in json.loads(sys.argv[2])]
def start_all(): calls.append(["*", "start_all", ""])
@contextlib.contextmanager
def subtest(name):
    calls.append(["*", "subtest", name]); yield
exec(open(sys.argv[1]).read())
print(json.dumps(calls))
`;

test("the reachability script runs: says its backend, listeners first, then one probe per cell from the right machine", async () => {
  const { out } = await evaluateTree();
  const t = out.checks["x86_64-linux"]!.reachability.nspawn;
  await withTmp((dir) => {
    writeFileSync(join(dir, "script.py"), t.testScript);
    writeFileSync(join(dir, "driver.py"), DRIVER);
    const r = run("python3", [join(dir, "driver.py"), join(dir, "script.py"), JSON.stringify(Object.keys(t.nodes))]);
    assert.is(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.is(lines[0], `topo-reachability: ${Object.keys(t.nodes).length} machines on the nspawn backend`);
    const calls = JSON.parse(lines.at(-1)!) as [string, string, string][];
    const subtests = calls.filter((x) => x[1] === "subtest").map((x) => x[2]);
    assert.ok(subtests.some((s) => s.startsWith("external.wan -> oo1424oo tcp/9574: allowed (")), subtests.join("\n"));
    const closed = subtests.find((s) => /^external\.wan -> node2 tcp\/\d+: blocked/.test(s));
    assert.ok(closed, subtests.join("\n"));
    const port = /tcp\/(\d+)/.exec(closed!)![1];
    const i = calls.findIndex((x) => x[1] === "subtest" && x[2] === closed);
    assert.equal(calls[i + 1], ["router", "fail", `socat -T3 /dev/null TCP:203.0.113.20:${port},connect-timeout=3`]);
    assert.not.ok(subtests.some((s) => s.includes("meshes")), "mesh cells are left to topo verify");
    // netmaker-gateway is probed too (its uplink eth0 is the renamed test NIC).
    assert.ok(subtests.some((s) => s.startsWith("external.wan -> netmaker-gateway tcp/")), subtests.join("\n"));
    // Guests: a VM exception and the isolation around it, probed from the guests' own machines.
    const exc = calls.findIndex((x) => x[1] === "subtest" && x[2].startsWith("hv1.vm1 -> hv1.vm2 tcp/5432: allowed"));
    assert.equal(calls[exc + 1], ["hv1-vm1", "succeed", "socat -T3 /dev/null TCP:10.2.0.2:5432,connect-timeout=3"]);
    const iso = calls.findIndex((x) => x[1] === "subtest" && x[2].startsWith("hv1.vm2 -> hv1.vm1 tcp/5432: blocked"));
    assert.equal(calls[iso + 1], ["hv1-vm2", "fail", "socat -T3 /dev/null TCP:10.1.0.2:5432,connect-timeout=3"]);
    assert.ok(subtests.some((s) => s.startsWith("oo1424oo.mcp-server -> oo1424oo icmp: allowed")), "a container's cell");
    assert.not.ok(subtests.some((s) => /^node2\.[a-z-]+ -> oo1424oo/.test(s)), "a guest's cells to another host cross the mesh: left to topo verify");
    // hv1 takes its address by DHCP from the router: the script reads it off the interface.
    assert.ok(calls.some((x) => x[0] === "hv1" && x[1] === "wait" && x[2].includes("enP2p4s0")));
    const firstProbe = calls.findIndex((x) => x[1] === "subtest");
    assert.ok(calls.slice(0, firstProbe).some((x) => x[0] === "node2" && x[1] === "succeed" && x[2].includes(`TCP-LISTEN:${port},`)), "a listener stands behind the blocked port");
    assert.ok(calls.slice(0, firstProbe).some((x) => x[0] === "hv1-vm2" && x[1] === "succeed" && x[2].includes("TCP-LISTEN:5432,")), "and behind a guest's port");
  });
});

test.run();
