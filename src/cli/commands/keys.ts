import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { RULES, runRules } from "../../check/rules/index.js";
import { keyNeeds } from "../../check/wireguard-keys.js";
import { validate } from "../../check/validate.js";
import { error, hasErrors } from "../../diag/diagnostic.js";
import { parseLock, printLock } from "../../ir/lock.js";
import { ensureKeys } from "../../keys/store.js";
import { secretsFiles, SOPS_PLAINTEXT } from "../../keys/secrets-files.js";
import { LOCK_FILE } from "../../load/lock-file.js";
import { createLocator, displayName } from "../../load/locate.js";
import { sourceName } from "../../compile.js";
import { EXIT } from "../exit.js";
import { prepareOrExit } from "../front-end.js";
import { info, out, printDiagnostics } from "../output.js";

export interface KeysFlags {
  readonly out?: string;
  readonly secrets?: string;
  readonly json?: boolean;
}

/**
 * `topo keys`: create the missing WireGuard key pairs. Private keys go to the secrets directory
 * (default `secrets/` next to the topology; never inside the generated tree), public keys to
 * topo.lock.json. Existing private keys are kept; their public keys are (re)recorded.
 */
export async function keysCommand(file: string, flags: KeysFlags): Promise<number> {
  const prepared = await prepareOrExit(file, flags);
  if (typeof prepared === "number") return prepared;
  const { loaded, outDir, lockText } = prepared;
  const name = displayName(loaded.file);
  const locator = createLocator(loaded.file, loaded.source);
  const v = validate(loaded.value);
  const lockPath = join(outDir, LOCK_FILE);
  const secretsDir = resolve(flags.secrets ?? join(dirname(loaded.file), "secrets"));
  const fail = (diags: Parameters<typeof printDiagnostics>[0]) => {
    for (const d of diags) d.span = locator.locate(d.path);
    printDiagnostics(diags, !!flags.json, name);
    return EXIT.failed;
  };
  if (!v.ok) return fail(v.diagnostics);
  let lock;
  try {
    lock = parseLock(lockText);
  } catch (e) {
    return fail([error("TOPO1001", [], (e as Error).message, { hint: "restore topo.lock.json from git" })]);
  }
  // Missing keys are what this command is for; every other problem stops it.
  const diags = runRules(v.value, RULES, { lock }).filter((d) => d.code !== "TOPO3051");
  if (hasErrors(diags)) return fail(diags);
  // The generated tree is the output directory's flake.nix, topo.*.json and hosts/: keys stay out.
  const hostsDir = join(outDir, "hosts");
  if (secretsDir === outDir || secretsDir === hostsDir || secretsDir.startsWith(hostsDir + sep)) {
    return fail([error("TOPO3008", [], `the secrets directory ${secretsDir} is inside the generated tree`, { hint: "keep private keys outside it, e.g. --secrets secrets" })]);
  }

  const r = ensureKeys(keyNeeds(v.value), lock, secretsDir);
  if (r.invalid.length) {
    return fail(r.invalid.map((f) => error("TOPO3008", [], `${f} is not a WireGuard private key (32 bytes, base64)`, { hint: "move the file away; `topo keys` then makes a new pair" })));
  }
  const text = printLock(r.lock, sourceName(loaded.file, outDir));
  if (text !== lockText) writeFileSync(lockPath, text);
  const rel = (p: string) => relative(process.cwd(), p) || p;
  // The files the hosts' secrets tools need (sops-nix: the plaintext to encrypt; agenix: what to encrypt).
  const tools = secretsFiles(v.value, secretsDir);
  const sopsFile = join(secretsDir, SOPS_PLAINTEXT);
  if (tools.sops && (!existsSync(sopsFile) || readFileSync(sopsFile, "utf8") !== tools.sops.text)) {
    writeFileSync(sopsFile, tools.sops.text, { mode: 0o600 });
    chmodSync(sopsFile, 0o600);
  }
  if (flags.json) {
    out(
      JSON.stringify(
        {
          ok: true,
          secrets: rel(secretsDir),
          changes: r.changes.map((c) => ({ host: c.host, interface: c.iface, file: rel(c.file), action: c.action })),
          ...(tools.sops ? { sopsNix: rel(sopsFile) } : {}),
          ...(tools.agenix.length ? { agenix: tools.agenix.map((a) => ({ file: a.file, from: rel(a.from) })) } : {}),
        },
        null,
        2,
      ),
    );
  } else {
    if (tools.sops) info(`topo: sops-nix: ${rel(sopsFile)} holds ${tools.sops.keys} key${tools.sops.keys === 1 ? "" : "s"} as sops-nix reads them (plaintext, git-ignored): encrypt it with sops into the file sops.defaultSopsFile names.`);
    for (const a of tools.agenix) info(`topo: agenix: encrypt ${rel(a.from)} to the host's age recipients as ${a.file} (e.g. age -R <recipients> -o ${a.file} ${rel(a.from)}).`);
    for (const c of r.changes) info(`  ${c.action.padEnd(9)} ${c.host} ${c.iface}  ${rel(c.file)}`);
    const created = r.changes.filter((c) => c.action === "created").length;
    info(
      r.changes.length
        ? `topo: ${created} key pair${created === 1 ? "" : "s"} created in ${rel(secretsDir)}, public keys recorded in topo.lock.json. Run \`topo compile\` next; deploy each key to /run/secrets/topo/<host>-<if>.key (readable by systemd-network).`
        : `topo: every WireGuard key exists (${rel(secretsDir)}); nothing to do.`,
    );
  }
  return EXIT.ok;
}
