/**
 * Shared building blocks of the input schema: names, addresses, ports.
 *
 * Every string that later reaches Nix or nftables passes one of these name rules, so a hostile
 * name (`"`, `${`, `''`, a newline, a backslash) is rejected here, before any printer sees it.
 * The printers escape as well; the rules make the output readable, the escaping makes it safe.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";

/** A host name as NixOS accepts it for `networking.hostName` (one DNS label, no underscore). */
export const HostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: "a host name is one DNS label: lower-case letters, digits and '-', not starting or ending with '-'",
  })
  .describe("Host name: one DNS label (a-z, 0-9, '-'), used as networking.hostName and the flake attribute.");

/**
 * A Linux interface name. The character set is checked here; the 15-byte kernel limit is a
 * target rule (TOPO4001) so that it gets its own code and a hint.
 */
export const IfName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    message: "an interface name uses letters, digits, '_', '.' and '-' only, and starts with a letter or digit",
  })
  .describe("Linux interface name (at most 15 characters).");

/** A name of a topology object (container, VM, mesh, chain, service...). */
export const Ident = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, {
    message: "a name starts with a letter and uses letters, digits, '_' and '-' only (at most 63 characters)",
  })
  .describe("Name of a topology object: a letter, then letters, digits, '_' or '-'.");

/** Free text that ends up in comments and descriptions: one line, printable. */
export const Text = z
  .string()
  .max(200)
  .regex(/^[^\n\r\u0000-\u001f\u007f]*$/, { message: "free text must be a single printable line" })
  .describe("One line of free text (descriptions); escaped wherever it is emitted.");

export const IPv4 = z
  .string()
  .refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s), { message: "not an IPv4 address (a.b.c.d)" })
  .describe("IPv4 address, a.b.c.d.");

/** An interface address with its prefix length, as networkd's `Address=` takes it. */
export const IPv4Cidr = z
  .string()
  .refine(isIPv4Cidr, { message: "not an IPv4 address with a prefix length (a.b.c.d/n)" })
  .describe("IPv4 address or network with a prefix length, a.b.c.d/n.");

export const Port = z
  .number()
  .int({ message: "a port is a whole number" })
  .min(1, { message: "port out of range: ports are 1 to 65535" })
  .max(65535, { message: "port out of range: ports are 1 to 65535" })
  .describe("TCP/UDP port, 1 to 65535.");

export const Proto = z.enum(["tcp", "udp"]).describe("Transport protocol.");
export const ProbeProto = z.enum(["tcp", "udp", "icmp"]).describe("Protocol of a reachability expectation.");

export const PortRange = z
  .object({ from: Port, to: Port })
  .strict()
  .describe("An inclusive port range.");

/** `host:port` or `a.b.c.d:port`: a WireGuard endpoint. */
export const Endpoint = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, { message: "an endpoint is host:port or a.b.c.d:port" })
  .describe("Endpoint host:port; prefer an IP address (networkd resolves names only once).");

/** A WireGuard public key: 32 bytes, base64 (44 characters ending in '='). */
export const WgPublicKey = z
  .string()
  .regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, { message: "a WireGuard key is 32 bytes in base64 (44 characters ending in '=')" })
  .describe("WireGuard public key (base64 of 32 bytes).");

/** An absolute runtime path (a secret file); never a Nix path literal. */
export const RuntimePath = z
  .string()
  .regex(/^\/[A-Za-z0-9_./@-]+$/, { message: "an absolute path of letters, digits and _ . / @ -" })
  .describe("Absolute path on the deployed host, emitted as a string so nothing is copied into the Nix store.");

export function isIPv4Cidr(s: string): boolean {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(s);
  if (!m) return false;
  const prefix = Number(m[2]);
  return ipaddr.IPv4.isValidFourPartDecimal(m[1]!) && prefix >= 0 && prefix <= 32;
}
