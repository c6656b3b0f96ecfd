/**
 * How VM subnets are carved from a VM network's pool. VM number N gets the N-th slot of the pool
 * and uses the first /prefixLength of it: bridge (gateway) at .1, guest at .2. A slot is 8 bits
 * below the pool's prefix when the subnet fits (so N shows in the address: 10.0.0.0/8 with /24
 * gives VM N 10.N.0.0/24, as in the seed), else exactly the subnet. Slot 0 is never used, so VM
 * numbers start at 1 and read the same in the address.
 */
import { fromInt, parseCidr } from "./ipv4.js";

export interface VmPool {
  /** The pool in canonical form, e.g. 10.0.0.0/8. */
  readonly pool: string;
  readonly prefixLength: number;
  /** Highest usable VM number. */
  readonly capacity: number;
  /** The subnet of VM number n (1..capacity), e.g. 10.3.0.0/24. */
  subnet(n: number): string;
  hostAddress(n: number): string;
  guestAddress(n: number): string;
}

export function vmPool(pool: string, prefixLength: number): VmPool {
  const c = parseCidr(pool);
  if (prefixLength < c.prefix) throw new Error(`internal: VM prefix /${prefixLength} is wider than the pool ${pool}`);
  const slotPrefix = Math.min(prefixLength, c.prefix + 8);
  const slotSize = 2 ** (32 - slotPrefix);
  const base = (n: number) => c.network + n * slotSize;
  return {
    pool: `${fromInt(c.network)}/${c.prefix}`,
    prefixLength,
    capacity: 2 ** (slotPrefix - c.prefix) - 1,
    subnet: (n) => `${fromInt(base(n))}/${prefixLength}`,
    hostAddress: (n) => `${fromInt(base(n) + 1)}/${prefixLength}`,
    guestAddress: (n) => `${fromInt(base(n) + 2)}/${prefixLength}`,
  };
}
