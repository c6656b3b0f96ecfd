/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** Diagnostics in the topology, or `--check` found the tree out of date, or verify found a mismatch. */
  failed: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** topo verify cannot run here: not root, not Linux, or a component's program is missing. */
  unavailable: 69,
  /** A bug in topo. */
  internal: 70,
} as const;
