/**
 * What a secrets tool needs from `topo keys` beyond the key files themselves.
 *
 * sops-nix: `sops-nix.yaml` in the secrets directory, the plaintext of the keys of every host with
 * `secrets: "sops-nix"`, nested the way sops-nix looks up the secret `topo/<host>-<if>.key` (a `/`
 * in the key is a level of YAML: `topo:` -> `<host>-<if>.key`). It stays in the git-ignored
 * directory, mode 0600; `sops` encrypts it into the file `sops.defaultSopsFile` names.
 *
 * agenix: the encrypted `agenix/<host>-<if>.key.age` needs the hosts' age recipients, which the
 * topology does not hold; `topo keys` names each file and the key it is made from.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { keyNeeds, secretFileName } from "../check/wireguard-keys.js";
import { keySecret } from "../check/resolve-wireguard.js";
import type { TopologyParsed } from "../model/topology.js";

export const SOPS_PLAINTEXT = "sops-nix.yaml";

export interface SecretsFiles {
  /** The text of sops-nix.yaml, when some host uses sops-nix and its keys exist here. */
  readonly sops?: { readonly text: string; readonly keys: number };
  /** agenix: each encrypted file to make (relative to the flake) and the key file it is made from. */
  readonly agenix: readonly { readonly file: string; readonly from: string }[];
}

export function secretsFiles(topo: TopologyParsed, secretsDir: string): SecretsFiles {
  const sops: [string, string][] = [];
  const agenix: { file: string; from: string }[] = [];
  for (const need of keyNeeds(topo)) {
    const secret = keySecret(topo, need);
    const from = join(secretsDir, secretFileName(need.host, need.iface));
    // A key given in the topology (public key only) is made elsewhere: nothing of it is here.
    if (!secret || !existsSync(from)) continue;
    if (secret.backend === "sops-nix") sops.push([secret.name.replace(/^topo\//, ""), readFileSync(from, "utf8").trim()]);
    else agenix.push({ file: secret.file!, from });
  }
  const quote = (s: string) => JSON.stringify(s); // a YAML double-quoted scalar
  const text = [
    "# Made by `topo keys`: WireGuard private keys (plaintext) of the hosts with secrets: \"sops-nix\",",
    "# as sops-nix looks up secret topo/<host>-<if>.key. Never commit this file: encrypt it with sops",
    "# into the file sops.defaultSopsFile names (or merge it into that file's plaintext).",
    "topo:",
    ...sops.map(([k, v]) => `  ${quote(k)}: ${quote(v)}`),
    "",
  ].join("\n");
  return { ...(sops.length ? { sops: { text, keys: sops.length } } : {}), agenix };
}
