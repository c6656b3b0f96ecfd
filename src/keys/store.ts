/**
 * The local secrets directory `topo keys` fills: one private key per file
 * (`<host>-<interface>.key`, mode 0600, directory 0700), and a `.gitignore` of its own so no key
 * can be committed even where the repository's ignore rules are missing. Public keys go to
 * topo.lock.json; private keys never leave this directory.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LockFile } from "../ir/lock.js";
import { LOCK_SECTION, secretFileName, wireguardLock, type KeyNeed } from "../check/wireguard-keys.js";
import { generateKeyPair, isWireguardKey, publicKeyFor } from "../net/x25519.js";

export interface KeyChange {
  readonly host: string;
  readonly iface: string;
  readonly file: string;
  /** created: a new pair; recorded: the public key of an existing private key went into the lock; tightened: the file's mode was made 0600. */
  readonly action: "created" | "recorded" | "tightened";
}

export interface EnsureResult {
  readonly lock: LockFile;
  readonly changes: KeyChange[];
  /** Private key files that are not WireGuard keys: left untouched, reported. */
  readonly invalid: string[];
}

/** Make every missing key pair the needs call for, and record every public key in the lock. */
export function ensureKeys(needs: readonly KeyNeed[], lock: LockFile, secretsDir: string): EnsureResult {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(secretsDir, 0o700);
  const ignore = join(secretsDir, ".gitignore");
  if (!existsSync(ignore)) writeFileSync(ignore, "# Private keys made by `topo keys`: never committed.\n*\n", { mode: 0o644 });

  const wg = wireguardLock(lock);
  const publicKeys: Record<string, Record<string, string>> = {};
  for (const [h, m] of Object.entries(wg.publicKeys ?? {})) publicKeys[h] = { ...m };
  const changes: KeyChange[] = [];
  const invalid: string[] = [];

  // Keys written in the topology are managed elsewhere; optional ones (a tunnel with its own
  // privateKeyFile) too.
  for (const n of needs.filter((x) => x.given === undefined && x.required)) {
    const file = join(secretsDir, secretFileName(n.host, n.iface));
    let publicKey: string;
    if (existsSync(file)) {
      const priv = readFileSync(file, "utf8").trim();
      if (!isWireguardKey(priv)) {
        invalid.push(file);
        continue;
      }
      if ((statSync(file).mode & 0o077) !== 0) {
        chmodSync(file, 0o600);
        changes.push({ host: n.host, iface: n.iface, file, action: "tightened" });
      }
      publicKey = publicKeyFor(priv);
      if (publicKeys[n.host]?.[n.iface] !== publicKey) changes.push({ host: n.host, iface: n.iface, file, action: "recorded" });
    } else {
      const pair = generateKeyPair();
      // 'wx': never replace a key that appeared meanwhile; 0600 before a single byte is written.
      writeFileSync(file, pair.privateKey + "\n", { mode: 0o600, flag: "wx" });
      chmodSync(file, 0o600);
      publicKey = pair.publicKey;
      changes.push({ host: n.host, iface: n.iface, file, action: "created" });
    }
    (publicKeys[n.host] ??= {})[n.iface] = publicKey;
  }
  const section = { ...wg, publicKeys };
  return { lock: { ...lock, [LOCK_SECTION]: section } as LockFile, changes, invalid };
}
