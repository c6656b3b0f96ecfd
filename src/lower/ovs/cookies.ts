/**
 * Cookies mark each flow's class, so `ovs-ofctl dump-flows BR cookie=0x746f706f00000001/-1` shows
 * one class (the seed greps its flows by cookie). topo's own carry "topo" (0x746f706f) in the high
 * 32 bits: an author's cookie (a JavaScript number, below 2^53) can never collide with them.
 */
const TOPO = "746f706f";
const low = (n: number) => n.toString(16).padStart(8, "0");

export const COOKIE = {
  /** The normal switching of a bridge whose author wrote no flows. */
  default: `0x${TOPO}${low(2)}`,
  /** Isolation by container role. */
  isolation: `0x${TOPO}${low(1)}`,
  /** The flows of the n-th chain of the host (0-based). */
  chain: (n: number) => `0x${TOPO}${low(0x100 + n)}`,
  /** The table-0 dispatch flows of the n-th flow policy of the bridge (0-based). */
  policy: (n: number) => `0x${TOPO}${low(0x200 + n)}`,
} as const;
