#!/usr/bin/env node
// The topo command: the CLI lives in dist/ (built by `npm run build`, run by `npm ci`).
import("../dist/bundle/main.js").then((m) => m.main(process.argv)).catch((e) => {
  process.stderr.write(`topo: internal error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(70);
});
