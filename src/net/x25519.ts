/**
 * WireGuard key pairs with Node's own crypto (X25519, as `wg genkey` / `wg pubkey`): no external
 * tool, no key ever passes through a command line or an environment variable.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

/** base64 of exactly 32 bytes: 43 significant characters and one '=' of padding. */
const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isWireguardKey(s: string): boolean {
  return KEY.test(s) && Buffer.from(s, "base64").length === 32;
}

export interface KeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

// PKCS#8 prefix of an X25519 private key (RFC 8410): the 32 raw bytes follow.
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

/** Clamp as `wg genkey` does, so the stored key is the canonical scalar. */
function clamp(raw: Buffer): Buffer {
  const k = Buffer.from(raw);
  k[0]! &= 248;
  k[31]! &= 127;
  k[31]! |= 64;
  return k;
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  const d = privateKey.export({ format: "jwk" }).d!;
  const priv = clamp(Buffer.from(d, "base64url")).toString("base64");
  return { privateKey: priv, publicKey: publicKeyFor(priv) };
}

/** The public key of a base64 private key (what `wg pubkey` prints). */
export function publicKeyFor(privateKey: string): string {
  if (!isWireguardKey(privateKey)) throw new Error("not a WireGuard private key (32 bytes, base64)");
  const der = Buffer.concat([PKCS8_X25519, Buffer.from(privateKey, "base64")]);
  const pub = createPublicKey(createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
  return Buffer.from(pub.export({ format: "jwk" }).x!, "base64url").toString("base64");
}
