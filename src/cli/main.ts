/**
 * The CLI: argument parsing and help only (cac); each command is imported when it runs.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cac } from "cac";
import { EXIT } from "./exit.js";

const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json"), "utf8")) as { version: string };

export async function main(argv: string[]): Promise<void> {
  const cli = cac("topo");
  let pending: Promise<number> | undefined;
  const run = (f: () => Promise<number>) => {
    pending = f();
  };

  cli
    .command("compile [file]", "Compile topology.ts into the NixOS flake tree")
    .option("--out <dir>", "Write the tree here (default: next to the topology file)")
    .option("--check", "Write nothing; exit 1 listing stale, missing and extra files when the tree is out of date")
    .option("--json", "Print a JSON summary on stdout")
    .example("topo compile topology.ts")
    .example("topo compile --check")
    .action((file: string | undefined, o: { out?: string; check?: boolean; json?: boolean }) =>
      run(async () => (await import("./commands/compile.js")).compileCommand(file ?? "topology.ts", o)),
    );

  cli
    .command("init [dir]", "Scaffold a fleet repository for a deployment profile and compile it")
    .option("--profile <profile>", "none | privacy-client | privacy-vps | general (default none)")
    .option("--host <name>", "Name of the profile's host")
    .option("--json", "Print the compile summary as JSON on stdout")
    .example("topo init my-fleet --profile privacy-client")
    .action((dir: string | undefined, o: { profile?: string; host?: string; json?: boolean }) => run(async () => (await import("./commands/init.js")).initCommand(dir ?? ".", o)));

  cli
    .command("validate [file]", "Check topology.ts and report every problem; writes nothing")
    .option("--json", "Print a JSON summary on stdout")
    .option("--typecheck", "Also run the TypeScript checker over the file, as an editor does")
    .action((file: string | undefined, o: { json?: boolean; typecheck?: boolean }) => run(async () => (await import("./commands/validate.js")).validateCommand(file ?? "topology.ts", o)));

  cli
    .command("keys [file]", "Create missing WireGuard key pairs: private keys into secrets/, public keys into topo.lock.json")
    .option("--secrets <dir>", "Directory for private keys (default: secrets/ next to the topology file)")
    .option("--out <dir>", "Where topo.lock.json is (default: next to the topology file)")
    .option("--json", "Print a JSON summary on stdout")
    .example("topo keys topology.ts")
    .action((file: string | undefined, o: { out?: string; secrets?: string; json?: boolean }) =>
      run(async () => (await import("./commands/keys.js")).keysCommand(file ?? "topology.ts", o)),
    );

  cli
    .command("ir [file]", "Print the resolved IR as JSON (what every backend reads)")
    .action((file: string | undefined) => run(async () => (await import("./commands/ir.js")).irCommand(file ?? "topology.ts")));

  cli
    .command("verify [file]", "Run the generated hosts in network namespaces with the real daemons and probe the intended reachability (root)")
    .option("--host <name>", "Only this host (and what surrounds it)")
    .option("--json", "Print the report as JSON on stdout")
    .option("--keep", "Leave the lab up for inspection; prints how to enter it and tear it down")
    .option("--tree <dir>", "Instantiate this already compiled tree instead of compiling afresh")
    .option("--teardown <run>", "Remove a lab left up by --keep (a run id, or all)")
    .option("--no-adversarial", "Skip the misbehaving guests' cells (spoofed sources, renumbered containers, a VM at the host's other addresses)")
    .example("sudo npx topo verify topology.ts")
    .action((file: string | undefined, o: { host?: string; json?: boolean; keep?: boolean; tree?: string; teardown?: string; adversarial?: boolean }) =>
      run(async () => (await import("./commands/verify.js")).verifyCommand(file ?? "topology.ts", o)),
    );

  cli
    .command("fuzz", "Random mixed fleets through validate, compile and verify (root); a reproducer line for each failure")
    .option("--seed <n>", "First seed (default 1); fleet i uses seed + i")
    .option("--count <n>", "How many fleets (default 10)")
    .option("--out <dir>", "Where the fleets and the reports of failures go (default: $TMPDIR/topo-fuzz)")
    .option("--without <concepts>", "Leave concepts out: vms, linuxBridges, ovs, chains, longChains, mesh, crossExits, dhcp, vpn (comma-separated)")
    .option("--compile-only", "Validate and compile only, no lab")
    .option("--json", "Print the outcomes as JSON")
    .example("sudo npx topo fuzz --seed 1 --count 10")
    .action((o: { seed?: number; count?: number; out?: string; without?: string; compileOnly?: boolean; json?: boolean }) =>
      run(async () => (await import("./commands/fuzz.js")).fuzzCommand(o)),
    );

  cli
    .command("diff [rev]", "What changed since a git revision (default: the merge base with main): objects, addresses, ports, routes, reachability")
    .option("--file <file>", "The topology file (default topology.ts)")
    .option("--markdown", "Markdown, for a pull-request comment")
    .option("--json", "JSON, for tools")
    .example("topo diff")
    .example("topo diff HEAD~1 --markdown")
    .action((rev: string | undefined, o: { file?: string; markdown?: boolean; json?: boolean }) =>
      run(async () => (await import("./commands/diff.js")).diffCommand(rev, o)),
    );

  cli
    .command("graph [file]", "Print the Mermaid diagram of the fleet, or of one host (compile writes them to docs/graph/)")
    .option("--host <name>", "The host's diagram instead of the fleet's")
    .action((file: string | undefined, o: { host?: string }) => run(async () => (await import("./commands/graph.js")).graphCommand(file ?? "topology.ts", o)));

  cli
    .command("schema", "Print the JSON Schema of the topology model (for topology.json in editors)")
    .option("--out <file>", "Write it to this file instead of stdout")
    .action((o: { out?: string }) => run(async () => (await import("./commands/schema.js")).schemaCommand(o)));

  cli
    .command("import <state>", "Write a topology.ts from an op-dbus state.json, reporting what it could not map")
    .option("--out <file>", "Write topology.ts here (default: stdout)")
    .option("--host <name>", "Name of the imported host (default host1)")
    .option("--force", "Overwrite --out if it exists")
    .option("--json", "Print the report (and the source, without --out) as JSON")
    .example("topo import /etc/op-dbus/state.json --host oo1424oo --out topology.ts")
    .action((state: string, o: { out?: string; host?: string; force?: boolean; json?: boolean }) =>
      run(async () => (await import("./commands/import.js")).importCommand(state, o)),
    );

  cli
    .command("explain <code>", "Explain a diagnostic code, e.g. TOPO3001")
    .action((code: string) => run(async () => (await import("./commands/explain.js")).explainCommand(code)));

  cli.help();
  cli.version(pkg.version);

  try {
    cli.parse(argv, { run: false });
  } catch (e) {
    process.stderr.write(`topo: ${(e as Error).message}\nRun \`topo --help\` for usage.\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  if (cli.options.help || cli.options.version) return;
  if (!cli.matchedCommand) {
    if (cli.args.length) {
      process.stderr.write(`topo: unknown command \`${cli.args[0]}\`\nRun \`topo --help\` for usage.\n`);
      process.exitCode = EXIT.usage;
    } else {
      cli.outputHelp();
      process.exitCode = EXIT.usage;
    }
    return;
  }
  try {
    await cli.runMatchedCommand();
    process.exitCode = pending ? await pending : EXIT.ok;
  } catch (e) {
    process.stderr.write(`topo: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.internal;
  }
}
