/**
 * The intended reachability matrix: for each source, destination and service, allowed or not —
 * derived from the topology by the compiler, in one place. `topo verify` probes it on the running
 * lab; `topo diff` compares it between revisions; expectations in topology.ts are checked against it.
 *
 * Each concept contributes its endpoints and cells (host firewall, VM isolation network, mesh,
 * OVS flows...) through a contributor registered in CONTRIBUTORS.
 */
import type { TopologyIR } from "../ir/types.js";
import { hostFirewallIntent } from "./contributors/host-firewall.js";
import { ovsIntent } from "./contributors/ovs.js";
import { vmNetworkIntent } from "./contributors/vm-network.js";
import { wireguardIntent } from "./contributors/wireguard.js";
import { adversarialIntent } from "./contributors/adversarial.js";
import { vpnAdversarialIntent, vpnServerIntent } from "./contributors/vpn-server.js";

export type EndpointKind = "host" | "container" | "vm" | "external";

export interface IntentEndpoint {
  /** Stable id: "<host>", "<host>.<container>", "<host>.<vm>", or "external.<name>" (wan, metadata, admin, a VPN client "<host>.<if>.<client>"...). */
  readonly id: string;
  readonly kind: EndpointKind;
  /** The host it lives on (for externals: the host whose uplink it sits behind; "*" for the internet itself). */
  readonly host: string;
  /** Its address, when it has a single one. */
  readonly address?: string;
}

export interface IntentService {
  readonly proto: "tcp" | "udp" | "icmp";
  readonly port?: number;
}

export interface IntentCell extends IntentService {
  readonly from: string;
  readonly to: string;
  /** The address `from` aims at, when `to` has several (a host seen from its bridge's segment). */
  readonly toAddress?: string;
  readonly allowed: boolean;
  /** Why: the topology path (and line) the decision comes from. */
  readonly reason: string;
  /** Tells apart cells of one pair and service that differ in how they are tried (adversarial cells: "spoofed 10.1.2.2", "at 10.2.0.1"). */
  readonly variant?: string;
  /**
   * The source address the probe sends from, when it is not the endpoint's own (address with
   * prefix). spoofed: the sender does not hold it (answers go elsewhere; only delivery counts);
   * otherwise the guest gave itself that address (renumbered) and answers come back to it.
   */
  readonly source?: { readonly address: string; readonly spoofed: boolean };
}

export interface IntentMatrix {
  readonly endpoints: readonly IntentEndpoint[];
  readonly cells: readonly IntentCell[];
}

/**
 * The cells a caller asks for, so that the all-pairs matrix is never built at compile time:
 * expectations ask for their own cells, the reachability test for the host-level ones. A
 * contributor given a scope may skip any cell outside it (its loops over endpoint pairs should:
 * that is what keeps them linear); `intentFor` drops the rest. Endpoints are always all listed.
 */
export interface IntentScope {
  /** Is a cell from this endpoint asked for? */
  from(id: string): boolean;
  /** Is a cell to this endpoint asked for? */
  to(id: string): boolean;
  /** Is a cell between these two asked for (whatever its service)? */
  has(from: string, to: string): boolean;
  /**
   * Among the guests of this endpoint's own host, the ones asked for from it, when the scope names
   * them one by one (undefined: every one `to` accepts): a contributor walks those, not all pairs.
   */
  peers?(from: string): ReadonlySet<string> | undefined;
}

/** Exactly these (from, to) pairs. */
export function cellScope(cells: Iterable<{ readonly from: string; readonly to: string }>): IntentScope {
  const from = new Set<string>();
  const to = new Set<string>();
  const pairs = new Set<string>();
  for (const c of cells) {
    from.add(c.from);
    to.add(c.to);
    pairs.add(`${c.from}\u0000${c.to}`);
  }
  return { from: (id) => from.has(id), to: (id) => to.has(id), has: (f, t) => pairs.has(`${f}\u0000${t}`) };
}

/** Every pair from one set of endpoints to another. */
export function betweenScope(sources: Iterable<string>, destinations: Iterable<string>): IntentScope {
  const from = new Set(sources);
  const to = new Set(destinations);
  return { from: (id) => from.has(id), to: (id) => to.has(id), has: (f, t) => from.has(f) && to.has(t) };
}

export type IntentContributor = (ir: TopologyIR, scope?: IntentScope) => IntentMatrix;

export const CONTRIBUTORS: IntentContributor[] = [hostFirewallIntent, vmNetworkIntent, ovsIntent, wireguardIntent, vpnServerIntent];

/** A cell's key within its source's cells: destination, service, variant. */
const cellKey = (c: IntentCell) => `${c.to}\u0000${c.proto}\u0000${c.port ?? ""}${c.variant !== undefined ? `\u0000${c.variant}` : ""}`;

/** Gather every contributor's cells, sorted and de-duplicated (a later contributor may not contradict an earlier one). */
export function intentMatrix(ir: TopologyIR, contributors: readonly IntentContributor[] = CONTRIBUTORS): IntentMatrix {
  return gather(ir, contributors, undefined);
}

/** The cells of the matrix within `scope` (the same cells the whole matrix has there), and every endpoint. */
export function intentFor(ir: TopologyIR, scope: IntentScope, contributors: readonly IntentContributor[] = CONTRIBUTORS): IntentMatrix {
  return gather(ir, contributors, scope);
}

/**
 * Cells are kept source by source (a map of a few cells per endpoint, not one map of the whole
 * fleet's: a table that outgrows the cache makes each step dearer as the fleet grows), and sorted
 * the same way: sources in order, then each source's cells by destination, service and variant.
 */
function gather(ir: TopologyIR, contributors: readonly IntentContributor[], scope: IntentScope | undefined): IntentMatrix {
  const endpoints = new Map<string, IntentEndpoint>();
  const bySource = new Map<string, Map<string, IntentCell>>();
  for (const contribute of contributors) {
    const m = contribute(ir, scope);
    for (const e of m.endpoints) if (!endpoints.has(e.id)) endpoints.set(e.id, e);
    for (const c of m.cells) {
      if (scope && !scope.has(c.from, c.to)) continue;
      let cells = bySource.get(c.from);
      if (!cells) bySource.set(c.from, (cells = new Map()));
      const k = cellKey(c);
      const prev = cells.get(k);
      if (prev && prev.allowed !== c.allowed) {
        throw new Error(`internal: intent contributors disagree on ${c.from} -> ${c.to} ${c.proto}/${c.port ?? "-"} (${prev.reason} vs ${c.reason})`);
      }
      if (!prev) cells.set(k, c);
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const cells: IntentCell[] = [];
  for (const from of [...bySource.keys()].sort(cmp)) {
    const mine = bySource.get(from)!;
    for (const k of [...mine.keys()].sort(cmp)) cells.push(mine.get(k)!);
  }
  return { endpoints: [...endpoints.values()].sort((a, b) => cmp(a.id, b.id)), cells };
}

/**
 * What `topo verify` probes: the matrix and the adversarial cells derived from it (spoofed and
 * renumbered sources, a VM at the host's other addresses), which only a lab can try.
 */
export function labMatrix(ir: TopologyIR, contributors: readonly IntentContributor[] = CONTRIBUTORS): IntentMatrix {
  const base = intentMatrix(ir, contributors);
  return intentMatrix(ir, [() => base, (x) => adversarialIntent(x, base), (x) => ({ endpoints: [], cells: vpnAdversarialIntent(x, base) })]);
}
