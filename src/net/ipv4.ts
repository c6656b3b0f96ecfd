/**
 * IPv4 arithmetic on top of ipaddr.js (which parses and validates): subnets as [base, size)
 * ranges of unsigned 32-bit integers.
 */
import ipaddr from "ipaddr.js";

export interface Cidr {
  /** The address as written (may have host bits set: 10.0.0.1/24). */
  readonly address: number;
  readonly prefix: number;
  /** The network base (host bits cleared). */
  readonly network: number;
  readonly size: number;
}

export function toInt(ip: string): number {
  const b = ipaddr.IPv4.parse(ip).octets;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

export function fromInt(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function parseCidr(s: string): Cidr {
  const [ip, len] = s.split("/");
  const prefix = len === undefined ? 32 : Number(len);
  const address = toInt(ip!);
  const size = 2 ** (32 - prefix);
  const network = prefix === 0 ? 0 : Math.floor(address / size) * size;
  return { address, prefix, network, size };
}

/** The address part of "a.b.c.d/n". */
export function addressOf(cidr: string): string {
  return cidr.split("/")[0]!;
}

/** The network in canonical form: "10.0.0.1/24" -> "10.0.0.0/24". */
export function networkOf(cidr: string): string {
  const c = parseCidr(cidr);
  return `${fromInt(c.network)}/${c.prefix}`;
}

export function contains(net: string, ip: string): boolean {
  const c = parseCidr(net);
  const a = toInt(addressOf(ip));
  return a >= c.network && a < c.network + c.size;
}

export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.network < y.network + y.size && y.network < x.network + x.size;
}

/**
 * Every overlapping pair among `cidrs`, as indices [i, j] with j < i, ordered by i then j (the
 * order of a walk over all pairs), found by sorting instead: CIDR blocks either nest or are
 * disjoint, so the blocks still open where one starts form a chain that all contain it.
 */
export function overlappingPairs(cidrs: readonly string[]): [number, number][] {
  const blocks = cidrs.map((c, i) => {
    const p = parseCidr(c);
    return { i, start: p.network, end: p.network + p.size };
  });
  // By start, the larger block first.
  blocks.sort((a, b) => a.start - b.start || b.end - a.end || a.i - b.i);
  const open: typeof blocks = [];
  const pairs: [number, number][] = [];
  for (const b of blocks) {
    while (open.length > 0 && open[open.length - 1]!.end <= b.start) open.pop();
    for (const o of open) pairs.push(o.i < b.i ? [b.i, o.i] : [o.i, b.i]);
    open.push(b);
  }
  return pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

export function compareIp(a: string, b: string): number {
  return toInt(addressOf(a)) - toInt(addressOf(b));
}
