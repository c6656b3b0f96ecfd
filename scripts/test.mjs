#!/usr/bin/env node
// Runs the uvu suites and closes with one plain "N passed, N failed" line, so that any reader of
// the log (people, CI) sees the count. Arguments are passed to uvu (dir, pattern, -b, -i ...).
import { spawn } from "node:child_process";

// uvu takes [dir] [pattern]; the pattern defaults to our test files.
const args = process.argv.slice(2);
if (args.length === 1) args.push("\\.test\\.ts$");
const child = spawn(process.execPath, ["--import", "tsx", "node_modules/uvu/bin.js", ...(args.length ? args : ["tests", "\\.test\\.ts$"])], {
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
child.stdout.on("data", (d) => {
  out += d;
  process.stdout.write(d);
});
child.on("close", (code) => {
  const plain = out.replace(/\u001b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const failed = code === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  process.exit(code ?? 1);
});
