/**
 * Lab-only addresses: the lab's own machines (the internet client, the upstream router's links,
 * a DHCP server) get /28 blocks of the documentation ranges that the topology does not mention
 * anywhere, so they can never shadow an address the fleet uses.
 */
import { fromInt, overlaps, parseCidr } from "../../net/ipv4.js";

const POOLS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

export interface Block {
  /** "192.0.2.16/28" */
  readonly cidr: string;
  readonly prefix: number;
  /** The n-th address of the block (1 = first usable), without prefix. */
  host(n: number): string;
  /** The n-th address with the block's prefix: "192.0.2.17/28". */
  hostCidr(n: number): string;
}

export class AddressPlan {
  private readonly taken: string[];
  private readonly given = new Map<string, Block>();

  /** `used`: every address or prefix the topology mentions (prefixes shorter than /8 are ignored: default routes). */
  constructor(used: readonly string[]) {
    this.taken = used.filter((c) => parseCidr(c).prefix >= 8);
  }

  /** A /28 for `purpose`, the same one every time it is asked for. */
  block(purpose: string): Block {
    const known = this.given.get(purpose);
    if (known) return known;
    for (const pool of POOLS) {
      const p = parseCidr(pool);
      for (let base = p.network; base < p.network + p.size; base += 16) {
        const cidr = `${fromInt(base)}/28`;
        if (this.taken.some((t) => overlaps(t, cidr))) continue;
        if ([...this.given.values()].some((b) => overlaps(b.cidr, cidr))) continue;
        const block: Block = { cidr, prefix: 28, host: (n) => fromInt(base + n), hostCidr: (n) => `${fromInt(base + n)}/28` };
        this.given.set(purpose, block);
        return block;
      }
    }
    throw new Error("internal: the documentation ranges have no free /28 left for the lab");
  }
}

/** Every IPv4 address or prefix written anywhere in a JSON value (the IR): what the lab must not reuse. */
export function addressesIn(value: unknown): string[] {
  const text = JSON.stringify(value);
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(\/\d{1,2})?(?![\d.])/g)) {
    if (m[1]!.split(".").every((o) => Number(o) <= 255)) out.add(m[1]! + (m[2] ?? ""));
  }
  return [...out].sort();
}
