/**
 * `topo keys` end to end, through the real CLI: key files 0600 in a 0700 directory the repository
 * cannot commit, public keys that `wg pubkey` agrees with, and after compile not a single private
 * key in the generated tree or the git index.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "../helpers/compile.js";
import { run } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { generateKeyPair, isWireguardKey, publicKeyFor } from "../../src/net/x25519.js";
import { fleet } from "./fleet.js";

const TOPO = join(ROOT, "bin", "topo.js");
const topo = (cwd: string, ...args: string[]) => run(process.execPath, [TOPO, ...args], { cwd });

/** The fixture fleet with every key left to `topo keys`. */
function keylessFleet() {
  const f = fleet();
  for (const m of Object.values(f.meshes.mesh.members) as any[]) delete m.publicKey;
  delete f.hosts.n1.tunnels.warp0.privateKeyFile;
  delete f.hosts.n1.vpnServers.wg0.privateKeyFile;
  return f;
}

function filesUnder(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (skip(relative(dir, p))) continue;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

test("X25519 keys from Node's crypto agree with `wg pubkey`", () => {
  for (let i = 0; i < 5; i++) {
    const k = generateKeyPair();
    assert.ok(isWireguardKey(k.privateKey) && isWireguardKey(k.publicKey));
    const r = run("wg", ["pubkey"], { input: k.privateKey + "\n" });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), k.publicKey);
  }
  const fromWg = run("wg", ["genkey"]).stdout.trim();
  assert.is(publicKeyFor(fromWg), run("wg", ["pubkey"], { input: fromWg + "\n" }).stdout.trim());
});

test("topo keys, compile, git add: no private key in the generated tree or the git index; key files are 0600", async () => {
  await withTmp(async (dir) => {
    writeFileSync(join(dir, "topology.json"), JSON.stringify(keylessFleet(), null, 2));
    assert.is(run("git", ["init", "-q"], { cwd: dir }).status, 0);

    // Before keys: compile refuses and says what to do.
    const before = topo(dir, "compile", "topology.json");
    assert.is(before.status, 1);
    assert.match(before.stderr, /TOPO3051/);
    assert.match(before.stderr, /run `topo keys`/);

    const k = topo(dir, "keys", "topology.json");
    assert.is(k.status, 0, k.stderr);
    const secrets = join(dir, "secrets");
    assert.is(statSync(secrets).mode & 0o777, 0o700);
    const keyFiles = readdirSync(secrets).filter((f) => f.endsWith(".key")).sort();
    assert.equal(keyFiles, ["gw-wgmesh.key", "n1-warp0.key", "n1-wg0.key", "n1-wgmesh.key", "n2-wgmesh.key"]);
    const lock = JSON.parse(readFileSync(join(dir, "topo.lock.json"), "utf8"));
    const privates: string[] = [];
    for (const f of keyFiles) {
      const p = join(secrets, f);
      assert.is(statSync(p).mode & 0o777, 0o600, `${f} is 0600`);
      const priv = readFileSync(p, "utf8").trim();
      privates.push(priv);
      const [host, iface] = f.replace(/\.key$/, "").split(/-(.*)/s) as [string, string];
      const pub = run("wg", ["pubkey"], { input: priv + "\n" }).stdout.trim();
      assert.is(lock.wireguard.publicKeys[host][iface], pub, `lock has the public key of ${f}`);
    }
    assert.not.match(k.stdout + k.stderr, new RegExp(privates.map((p) => p.replace(/[+/=]/g, "\\$&")).join("|")), "no key is printed");

    const c = topo(dir, "compile", "topology.json");
    assert.is(c.status, 0, c.stderr);
    assert.is(topo(dir, "compile", "--check", "topology.json").status, 0, "the tree is up to date after keys + compile");

    // Everything outside secrets/ (the generated tree, the lock, the topology) is key-free.
    const tree = filesUnder(dir, (rel) => rel === ".git" || rel === "secrets");
    assert.ok(tree.some((p) => p.endsWith("network.nix")));
    for (const p of tree) {
      const text = readFileSync(p);
      for (const priv of privates) {
        assert.not.ok(text.includes(priv), `${relative(dir, p)} contains a private key`);
        assert.not.ok(text.includes(Buffer.from(priv, "base64")), `${relative(dir, p)} contains raw private key bytes`);
        assert.not.ok(text.includes(Buffer.from(priv, "base64").toString("hex")), `${relative(dir, p)} contains a hex private key`);
      }
    }
    // The key paths are what the generated config names: runtime paths, never the local files.
    const n1 = readFileSync(join(dir, "hosts", "n1", "network.nix"), "utf8");
    assert.match(n1, /PrivateKeyFile = "\/run\/secrets\/topo\/n1-wgmesh\.key";/);
    assert.not.ok(n1.includes(dir), "no machine path in generated files");

    // `git add -A` with no ignore rules of the repository's own: secrets/ still stays out.
    assert.is(run("git", ["add", "-A"], { cwd: dir }).status, 0);
    const indexed = run("git", ["ls-files"], { cwd: dir }).stdout.split("\n").filter(Boolean);
    assert.ok(indexed.includes("topo.lock.json") && indexed.includes("hosts/n1/network.nix"));
    assert.equal(indexed.filter((p) => p.startsWith("secrets/")), []);
    for (const priv of privates) {
      const g = run("git", ["grep", "--cached", "-F", "-l", priv], { cwd: dir });
      assert.is(g.status, 1, `git index holds ${priv.slice(0, 4)}… in ${g.stdout}`);
    }

    // Again: nothing changes, no key is replaced.
    const lockText = readFileSync(join(dir, "topo.lock.json"), "utf8");
    const again = topo(dir, "keys", "topology.json");
    assert.is(again.status, 0);
    assert.match(again.stderr, /nothing to do/);
    assert.equal(keyFiles.map((f) => readFileSync(join(secrets, f), "utf8").trim()), privates);
    assert.is(readFileSync(join(dir, "topo.lock.json"), "utf8"), lockText);

    // A key file someone made readable is tightened; a corrupt one is reported, never overwritten.
    chmodSync(join(secrets, "n2-wgmesh.key"), 0o644);
    const t = topo(dir, "keys", "topology.json");
    assert.is(t.status, 0);
    assert.match(t.stderr, /tightened/);
    assert.is(statSync(join(secrets, "n2-wgmesh.key")).mode & 0o777, 0o600);
    writeFileSync(join(secrets, "gw-wgmesh.key"), "garbage\n");
    const bad = topo(dir, "keys", "topology.json");
    assert.is(bad.status, 1);
    assert.match(bad.stderr, /TOPO3008/);
    assert.is(readFileSync(join(secrets, "gw-wgmesh.key"), "utf8"), "garbage\n");

    // A deleted key pair is made again: a new private key, a new public key in the lock.
    const gone = join(secrets, "n2-wgmesh.key");
    run("rm", [gone]);
    writeFileSync(join(secrets, "gw-wgmesh.key"), privates[0] + "\n");
    assert.is(topo(dir, "keys", "topology.json").status, 0);
    assert.ok(existsSync(gone));
    assert.is.not(readFileSync(gone, "utf8").trim(), privates[4]);
  });
});

test("topo keys for sops-nix and agenix hosts: the sops-nix plaintext in the shape sops-nix reads (0600, ignored), agenix files named", async () => {
  await withTmp(async (dir) => {
    const f = keylessFleet();
    f.secrets = "sops-nix";
    f.hosts.n2.secrets = "agenix";
    f.hosts.n1.tunnels.warp0.privateKeyFile = "/run/keys/warp0.key"; // delivered elsewhere: no secret
    writeFileSync(join(dir, "topology.json"), JSON.stringify(f, null, 2));
    const k = topo(dir, "keys", "--json", "topology.json");
    assert.is(k.status, 0, k.stderr);
    const report = JSON.parse(k.stdout);
    // Paths relative to where topo ran (the fleet's directory).
    assert.is(report.sopsNix, "secrets/sops-nix.yaml");
    assert.equal(report.agenix, [{ file: "agenix/n2-wgmesh.key.age", from: "secrets/n2-wgmesh.key" }]);
    const yaml = join(dir, "secrets", "sops-nix.yaml");
    assert.is(statSync(yaml).mode & 0o777, 0o600);
    const key = (n: string) => readFileSync(join(dir, "secrets", n), "utf8").trim();
    const body = readFileSync(yaml, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    // gw and n1 use sops-nix (n1's tunnel names its own file); n2 uses agenix.
    assert.equal(body, ["topo:", `  "gw-wgmesh.key": "${key("gw-wgmesh.key")}"`, `  "n1-wg0.key": "${key("n1-wg0.key")}"`, `  "n1-wgmesh.key": "${key("n1-wgmesh.key")}"`]);
    // The generated secrets name the same keys.
    assert.is(topo(dir, "compile", "topology.json").status, 0);
    assert.match(readFileSync(join(dir, "hosts", "gw", "secrets.nix"), "utf8"), /"topo\/gw-wgmesh\.key" = \{/);
    assert.match(readFileSync(join(dir, "hosts", "n2", "secrets.nix"), "utf8"), /file = \.\.\/\.\.\/agenix\/n2-wgmesh\.key\.age;/);
    // Never committed: the secrets directory ignores everything in it.
    assert.is(run("git", ["init", "-q"], { cwd: dir }).status, 0);
    assert.is(run("git", ["add", "-A"], { cwd: dir }).status, 0);
    assert.equal(run("git", ["ls-files", "secrets"], { cwd: dir }).stdout.trim(), "");
  });
});

test("this repository: no file under secrets/ is tracked, and no local private key is in the index", () => {
  const tracked = run("git", ["ls-files", "secrets"], { cwd: ROOT }).stdout.trim();
  assert.is(tracked, "");
  const dir = join(ROOT, "secrets");
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".key"))) {
    const priv = readFileSync(join(dir, f), "utf8").trim();
    if (!priv) continue;
    assert.is(run("git", ["grep", "--cached", "-F", "-l", priv], { cwd: ROOT }).status, 1, `${f} is in the git index`);
  }
});

test.run();
