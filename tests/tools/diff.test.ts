/**
 * topo diff on git repositories made here: the reference fleet committed on main, then a branch
 * that adds a VM exception (hv1: vm1 -> vm3 tcp/80) and a container (node2.search). The diff
 * reports exactly those two objects, the reachability they open, and the generated files they
 * touch, in text, Markdown and JSON, from the library and from the CLI.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatJson, formatMarkdown, formatText } from "../../src/tools/diff/format.js";
import { runDiff } from "../../src/tools/diff/run-diff.js";
import { diffReachability } from "../../src/tools/diff/semantic.js";
import { ROOT } from "../helpers/compile.js";
import { withTmp } from "../helpers/tmp.js";
import { run } from "../helpers/tools.js";

const EXCEPTION_BEFORE = 'exceptions: [{ from: "vm1", to: "vm2", proto: "tcp", port: 5432, comment: "app to database" }],';
const EXCEPTION_AFTER = 'exceptions: [{ from: "vm1", to: "vm2", proto: "tcp", port: 5432, comment: "app to database" }, { from: "vm1", to: "vm3", proto: "tcp", port: 80 }],';
const CONTAINER_ANCHOR = 'custom: { id: 105, bridge: "vmbr0", address: "10.1.0.105/24", gateway: "10.1.0.1", services: { http: { proto: "tcp", port: 8080 } } },';
const CONTAINER_NEW = '        search: { id: 106, bridge: "vmbr0", address: "10.1.0.106/24", gateway: "10.1.0.1", services: { http: { proto: "tcp", port: 9200 } } },';

function git(dir: string, ...args: string[]) {
  const r = run("git", ["-c", "user.name=topo test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", ...args], { cwd: dir });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A repository with the reference fleet on main, and a branch `feature` with the change (uncommitted unless `commit`). */
async function withRepo<T>(fn: (dir: string) => Promise<T>, opts: { commit?: boolean } = {}): Promise<T> {
  return withTmp(async (dir) => {
    git(dir, "init", "-q");
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n");
    copyFileSync(join(ROOT, "topology.ts"), join(dir, "topology.ts"));
    copyFileSync(join(ROOT, "topo.lock.json"), join(dir, "topo.lock.json"));
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "reference fleet");
    git(dir, "checkout", "-q", "-b", "feature");
    const text = readFileSync(join(dir, "topology.ts"), "utf8");
    assert.ok(text.includes(EXCEPTION_BEFORE) && text.includes(CONTAINER_ANCHOR), "the fixture edits apply");
    writeFileSync(join(dir, "topology.ts"), text.replace(EXCEPTION_BEFORE, EXCEPTION_AFTER).replace(CONTAINER_ANCHOR, `${CONTAINER_ANCHOR}\n${CONTAINER_NEW}`));
    if (opts.commit) {
      git(dir, "commit", "-q", "-am", "open vm1 -> vm3 tcp/80, add node2.search");
      // main moves on meanwhile: the merge base, not main's tip, is what the branch is compared with.
      git(dir, "checkout", "-q", "main");
      writeFileSync(join(dir, "unrelated.txt"), "x\n");
      git(dir, "add", "-A");
      git(dir, "commit", "-q", "-m", "unrelated");
      git(dir, "checkout", "-q", "feature");
    }
    return fn(dir);
  });
}

test("adding a VM exception and a container: exactly those two objects, and the reachability they open", async () => {
  await withRepo(async (dir) => {
    const r = await runDiff(join(dir, "topology.ts"));
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.diagnostics));
    if (!r.ok) return;
    assert.is(r.base, "merge base with main");
    const d = r.diff;
    assert.equal(
      d.added.map((i) => `${i.kind} ${i.id}`),
      ["VM exception hv1: vm1 -> vm3 tcp/80", "container node2.search"],
    );
    assert.equal(d.added[1]!.fields, { id: "106", address: "10.1.0.106/24", gateway: "10.1.0.1", bridge: "vmbr0 (veth veth106)", services: "http tcp/9200", runtime: "external" });
    assert.equal(d.removed, []);
    assert.equal(d.changed, []);
    // The reachability delta: the exception's port opens, one way; nothing closes.
    const allowed = d.reachability.newlyAllowed.map((c) => `${c.from} -> ${c.to} ${c.proto}/${c.port ?? "-"}`);
    assert.ok(allowed.includes("hv1.vm1 -> hv1.vm3 tcp/80"), allowed.join("\n"));
    assert.not.ok(allowed.includes("hv1.vm3 -> hv1.vm1 tcp/80"));
    assert.match(d.reachability.newlyAllowed.find((c) => c.to === "hv1.vm3")!.reason, /^hosts\.hv1\.vmNetwork\.exceptions\[1\]$/);
    // Every other newly allowed cell (from contributors that model containers) is about the new container.
    for (const c of d.reachability.newlyAllowed) assert.ok(c.to === "hv1.vm3" || c.from === "node2.search" || c.to === "node2.search", `${c.from} -> ${c.to}`);
    assert.equal(d.reachability.nowBlocked, []);
    assert.ok(d.files.changed.includes("hosts/hv1/nftables/topo-filter.nft"), d.files.changed.join(" "));
    assert.ok(d.files.changed.includes("docs/graph/node2.md"));
    assert.ok(!d.files.changed.includes("hosts/oo1424oo/network.nix"), "back-reference line shifts are not changes");
  });
});

test("the same diff in text, Markdown and JSON", async () => {
  await withRepo(async (dir) => {
    const r = await runDiff(join(dir, "topology.ts"));
    if (!r.ok) throw new Error("diff failed");
    const h = { base: r.base, commit: r.commit, file: "topology.ts" };
    const text = formatText(r.diff, h);
    assert.match(text, /^topo diff: topology\.ts at merge base with main \([0-9a-f]{12}\) -> working tree$/m);
    assert.match(text, /^Added\n {2}\+ VM exception hv1: vm1 -> vm3 tcp\/80\n {2}\+ container node2\.search {2}\(id 106, address 10\.1\.0\.106\/24, /m);
    assert.match(text, /^ {2}newly allowed: hv1\.vm1 -> hv1\.vm3 tcp\/80 {2}\[hosts\.hv1\.vmNetwork\.exceptions\[1\]/m);
    assert.not.match(text, /^Removed|^Changed|now blocked/m);

    const mdText = formatMarkdown(r.diff, h);
    assert.match(mdText, /^\| 🟢 newly allowed \| `hv1\.vm1` \| `hv1\.vm3` \| tcp\/80 \| hosts\.hv1\.vmNetwork\.exceptions\\\[1\\\] \|$/m);
    assert.match(mdText, /^- \*\*container\*\* `node2\.search` — id 106, /m);
    assert.match(mdText, /^- \*\*VM exception\*\* `hv1: vm1 -> vm3 tcp\/80`$/m);
    assert.match(mdText, /<summary>Generated files \(\d+\)<\/summary>/);

    const json = JSON.parse(formatJson(r.diff, h)) as { commit: string; added: { kind: string; id: string }[]; removed: unknown[]; changed: unknown[]; reachability: { newlyAllowed: { from: string; to: string; proto: string; port: number }[]; nowBlocked: unknown[] } };
    assert.is(json.commit, r.commit);
    assert.equal(json.added.map((i) => [i.kind, i.id]), [["VM exception", "hv1: vm1 -> vm3 tcp/80"], ["container", "node2.search"]]);
    assert.equal([json.removed, json.changed, json.reachability.nowBlocked], [[], [], []]);
    assert.ok(json.reachability.newlyAllowed.some((c) => c.from === "hv1.vm1" && c.to === "hv1.vm3" && c.proto === "tcp" && c.port === 80));
  });
});

test("the CLI compares a committed branch with its merge base, in all three formats", async () => {
  await withRepo(
    async (dir) => {
      const bin = join(ROOT, "bin", "topo.js");
      const text = run(process.execPath, [bin, "diff"], { cwd: dir });
      assert.is(text.status, 0, text.stderr);
      assert.match(text.stdout, /\+ VM exception hv1: vm1 -> vm3 tcp\/80/);
      const mdOut = run(process.execPath, [bin, "diff", "--markdown"], { cwd: dir });
      assert.match(mdOut.stdout, /^### topo diff$/m);
      const json = run(process.execPath, [bin, "diff", "--json"], { cwd: dir });
      const j = JSON.parse(json.stdout) as { base: string; added: { id: string }[] };
      assert.is(j.base, "merge base with main");
      assert.equal(j.added.map((i) => i.id), ["hv1: vm1 -> vm3 tcp/80", "node2.search"]);
      // Against the branch's own tip there is nothing to report; an unknown revision is a usage error.
      assert.match(run(process.execPath, [bin, "diff", "HEAD"], { cwd: dir }).stdout, /No change\./);
      assert.is(run(process.execPath, [bin, "diff", "no-such-rev"], { cwd: dir }).status, 2);
    },
    { commit: true },
  );
});

test("now blocked: a cell allowed before and denied or gone (with both ends still there) after", () => {
  const cell = (from: string, to: string, allowed: boolean) => ({ from, to, proto: "tcp" as const, port: 1, allowed, reason: "r" });
  const r = diffReachability(
    [cell("a", "b", true), cell("a", "c", true), cell("a", "gone", true), cell("b", "a", false)],
    [cell("a", "b", false), cell("b", "a", true)],
    new Set(["a", "b", "c"]),
  );
  assert.equal(r.nowBlocked.map((c) => `${c.from}>${c.to}`), ["a>b", "a>c"]);
  assert.equal(r.newlyAllowed.map((c) => `${c.from}>${c.to}`), ["b>a"]);
});

test.run();
