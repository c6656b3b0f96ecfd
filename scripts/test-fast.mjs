#!/usr/bin/env node
// The inner loop's suite: every test file that runs in-process and needs no root and no daemons
// (no network namespace, no nft, no Open vSwitch, no lab, no spawned `topo` bin: each spawn costs
// a second). A file needs them when it uses one of the helpers or commands below; the rest run
// here. `npm test` still runs everything.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawn } from "node:child_process";

const NOT_FAST = /\b(nftCheck|unshare|netns|withOvs|acceptedByOvs|verifyOk|bringUp|withRun|wireguard-go|systemd-networkd)\b|helpers\/(lab|ovs|cli)\.js/;

const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".test.ts") && !NOT_FAST.test(readFileSync(p, "utf8"))) files.push(relative("tests", p));
  }
})("tests");

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const pattern = `^(${files.map(escape).join("|")})$`;
process.stderr.write(`test:fast: ${files.length} files\n`);
const child = spawn(process.execPath, ["scripts/test.mjs", "tests", pattern, ...process.argv.slice(2)], { stdio: "inherit" });
child.on("close", (code) => process.exit(code ?? 1));
