/**
 * WireGuard keys as sops-nix and agenix secrets (`secrets`): the generated secrets.nix, applied by
 * the real Nix evaluator to a config the way the module system would (the secret's default `.path`
 * filled in as sops-nix and agenix do), gives back the declarations (owner and group
 * systemd-network, mode 0640, networkd restarted on a new key) and each netdev's PrivateKeyFile as
 * that path. Only option names the tools really have appear. `path` (the default) emits none of it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nixEvalJson, nixParse, run, writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { compileValue, fleet } from "./fleet.js";

type Json = any;

/** Option names of a secret: Mic92/sops-nix modules/sops/default.nix, ryantm/agenix modules/age.nix. */
const SOPS_OPTIONS = ["name", "key", "path", "format", "mode", "owner", "uid", "group", "gid", "sopsFile", "restartUnits", "reloadUnits", "neededForUsers"];
const AGE_OPTIONS = ["name", "file", "path", "mode", "owner", "group", "symlink"];

/**
 * Apply hosts/<h>/secrets.nix to a config: the module's own output, with each secret's `path`
 * defaulted as the tools do (/run/secrets/<name>, /run/agenix/<name>) and the systemd-network user.
 * `file` (a path to the encrypted key) is printed as a string, so nothing is copied to the store.
 */
function evalSecrets(file: string, networkFile: string): Json {
  const expr = `
    let
      m = import ${file};
      out = m { inherit config; };
      withPath = dir: builtins.mapAttrs (n: s: s // { path = dir + "/" + n; });
      config = {
        users.users.systemd-network.name = "systemd-network";
        users.groups.systemd-network.name = "systemd-network";
        sops.secrets = withPath "/run/secrets" (out.sops.secrets or { });
        age.secrets = withPath "/run/agenix" (out.age.secrets or { });
      };
      network = import ${networkFile};
      netdevs = builtins.mapAttrs (n: d: d // { wireguardConfig = (d.wireguardConfig or { }) // ((out.systemd.network.netdevs.\${n} or { }).wireguardConfig or { }); }) network.systemd.network.netdevs;
      strFile = s: if s ? file then s // { file = toString s.file; } else s;
    in {
      isFunction = builtins.isFunction m;
      sops = out.sops.secrets or null;
      age = if out ? age then builtins.mapAttrs (n: strFile) out.age.secrets else null;
      restartTriggers = map toString (out.systemd.services.systemd-networkd.restartTriggers or [ ]);
      netdevs = netdevs;
    }`;
  const r = run("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

async function compiled(value: Json, fn: (dir: string, plan: ReadonlyMap<string, string>) => void) {
  await withTmp(async (dir) => {
    const r = await compileValue(dir, value);
    if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    writePlan(dir, r.compiled.plan);
    fn(dir, r.compiled.plan);
  });
}

test("sops-nix: declarations readable by systemd-network, networkd restarted, PrivateKeyFile = the secret's .path (evaluated)", async () => {
  const f = fleet();
  f.secrets = "sops-nix";
  await compiled(f, (dir, plan) => {
    const file = join(dir, "hosts", "gw", "secrets.nix");
    assert.is(nixParse(file).status, 0);
    const e = evalSecrets(file, join(dir, "hosts", "gw", "network.nix"));
    assert.ok(e.isFunction, "a module function of config");
    assert.equal(e.sops, {
      "topo/gw-wgmesh.key": { group: "systemd-network", mode: "0640", owner: "systemd-network", restartUnits: ["systemd-networkd.service"] },
    });
    for (const k of Object.keys(e.sops["topo/gw-wgmesh.key"])) assert.ok(SOPS_OPTIONS.includes(k), `sops-nix has ${k}`);
    assert.is(e.netdevs["30-wgmesh"].wireguardConfig.PrivateKeyFile, "/run/secrets/topo/gw-wgmesh.key", "the secret's path, merged into the netdev");
    assert.is(e.netdevs["30-wgmesh"].wireguardConfig.ListenPort, 51821);
    // The data module itself no longer spells the path out.
    const net = nixEvalJson(join(dir, "hosts", "gw", "network.nix")) as Json;
    assert.not.ok("PrivateKeyFile" in net.systemd.network.netdevs["30-wgmesh"].wireguardConfig);
    // n1's tunnel and VPN server name their own key files: managed elsewhere, no secret for them.
    const n1 = evalSecrets(join(dir, "hosts", "n1", "secrets.nix"), join(dir, "hosts", "n1", "network.nix"));
    assert.equal(Object.keys(n1.sops), ["topo/n1-wgmesh.key"]);
    assert.is(n1.netdevs["31-warp0"].wireguardConfig.PrivateKeyFile, "/run/keys/warp0.key");
    // The flake brings sops-nix and each host imports its module.
    const flake = plan.get("flake.nix")!;
    assert.match(flake, /sops-nix = \{\n\s+url = "github:Mic92\/sops-nix";/);
    assert.match(flake, /inputs\.sops-nix\.nixosModules\.sops/);
    assert.is(nixParse(join(dir, "flake.nix")).status, 0);
    assert.match(plan.get("hosts/gw/default.nix")!, /\.\/secrets\.nix/);
  });
});

test("agenix: declarations with the encrypted file, networkd restarted when it changes, PrivateKeyFile = the secret's .path (evaluated)", async () => {
  const f = fleet();
  f.secrets = "agenix";
  await compiled(f, (dir, plan) => {
    const e = evalSecrets(join(dir, "hosts", "n2", "secrets.nix"), join(dir, "hosts", "n2", "network.nix"));
    assert.is(e.sops, null);
    assert.equal(e.age, {
      "topo-n2-wgmesh.key": { file: join(dir, "agenix", "n2-wgmesh.key.age"), group: "systemd-network", mode: "0640", owner: "systemd-network" },
    });
    for (const k of Object.keys(e.age["topo-n2-wgmesh.key"])) assert.ok(AGE_OPTIONS.includes(k), `agenix has ${k}`);
    assert.equal(e.restartTriggers, [join(dir, "agenix", "n2-wgmesh.key.age")]);
    assert.is(e.netdevs["30-wgmesh"].wireguardConfig.PrivateKeyFile, "/run/agenix/topo-n2-wgmesh.key");
    assert.match(plan.get("flake.nix")!, /agenix = \{\n\s+url = "github:ryantm\/agenix";/);
    assert.match(plan.get("flake.nix")!, /inputs\.agenix\.nixosModules\.default/);
  });
});

test("path (the default) declares no secret and keeps the spelled-out key path; a host can override the fleet's choice", async () => {
  await compiled(fleet(), (dir, plan) => {
    assert.not.ok([...plan.keys()].some((p) => p.endsWith("/secrets.nix")));
    assert.not.match(plan.get("flake.nix")!, /sops-nix|agenix/);
    const net = nixEvalJson(join(dir, "hosts", "gw", "network.nix")) as Json;
    assert.is(net.systemd.network.netdevs["30-wgmesh"].wireguardConfig.PrivateKeyFile, "/run/secrets/topo/gw-wgmesh.key");
  });
  const f = fleet();
  f.secrets = "sops-nix";
  f.hosts.n2.secrets = "path";
  await compiled(f, (dir) => {
    assert.ok(existsSync(join(dir, "hosts", "gw", "secrets.nix")));
    assert.not.ok(existsSync(join(dir, "hosts", "n2", "secrets.nix")));
    assert.not.match(readFileSync(join(dir, "hosts", "n2", "default.nix"), "utf8"), /secrets\.nix/);
  });
});

test.run();
