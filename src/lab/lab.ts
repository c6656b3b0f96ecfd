/**
 * Bringing a lab up: one namespace per emulated host, then every component's phases in order.
 * The caller (topo verify, tests) owns the LabRun and therefore the teardown.
 */
import type { HostIR, TopologyIR } from "../ir/types.js";
import { COMPONENTS } from "./components/index.js";
import { PHASES, type Finding, type LabComponent, type LabContext, type LabEndpoint, type Segment } from "./context.js";
import { readGeneratedTree, treeHosts } from "./generated/tree.js";
import { AddressPlan, addressesIn } from "./runtime/addresses.js";
import { LabError } from "./runtime/exec.js";
import { RUNTIME_REQUIREMENTS, type Requirement } from "./runtime/requirements.js";
import type { End, LabRun } from "./runtime/run.js";

export interface LabOptions {
  readonly ir: TopologyIR;
  /** Root of the generated tree to instantiate. */
  readonly tree: string;
  /** Only this host (and what surrounds it). */
  readonly host?: string;
  readonly components?: readonly LabComponent[];
  /** Called when a phase starts (progress). */
  readonly onPhase?: (phase: string) => void;
}

/** Everything the lab needs on this machine for this topology. */
export function labRequirements(ir: TopologyIR, components: readonly LabComponent[] = COMPONENTS): Requirement[] {
  return [...RUNTIME_REQUIREMENTS, ...components.flatMap((c) => c.requires?.(ir) ?? [])];
}

/** The hosts a lab instantiates: those of the tree (and of the topology), or the one asked for. */
export function hostsInScope(ir: TopologyIR, tree: string, only?: string): HostIR[] {
  const inTree = new Set(treeHosts(tree));
  if (only !== undefined) {
    const h = ir.hosts.find((x) => x.name === only);
    if (!h) throw new LabError(`--host ${only}: no such host (hosts: ${ir.hosts.map((x) => x.name).join(", ")})`);
    if (!inTree.has(only)) throw new LabError(`--host ${only}: the generated tree ${tree} has no hosts/${only}/default.nix`);
    return [h];
  }
  const missing = ir.hosts.filter((h) => !inTree.has(h.name)).map((h) => h.name);
  if (missing.length) throw new LabError(`the generated tree ${tree} lacks host${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: compile it first (topo compile)`);
  return [...ir.hosts];
}

export async function bringUp(run: LabRun, opts: LabOptions): Promise<LabContext> {
  const components = opts.components ?? COMPONENTS;
  const hosts = hostsInScope(opts.ir, opts.tree, opts.host);
  const generated = readGeneratedTree(opts.tree, hosts.map((h) => h.name));
  const ctx = createContext(run, opts.ir, opts.tree, hosts, generated);
  for (const h of hosts) run.ns(hostSuffix(h.name));
  for (const phase of PHASES) {
    opts.onPhase?.(phase);
    for (const c of components) {
      const f = c[phase];
      if (f) await f.call(c, ctx);
    }
  }
  return ctx;
}

function hostSuffix(host: string): string {
  return `h-${host}`;
}

function createContext(run: LabRun, ir: TopologyIR, tree: string, hosts: HostIR[], generated: LabContext["generated"]): LabContext {
  const segments = new Map<string, Segment>();
  const endpoints = new Map<string, LabEndpoint>();
  const findings: Finding[] = [];
  const notes: string[] = [];
  let switchNs: string | undefined;
  let peers = 0;
  const sw = () => (switchNs ??= run.ns("switch"));
  const peerName = () => `p${peers++}`;
  return {
    run,
    ir,
    tree,
    generated,
    hosts,
    addresses: new AddressPlan(addressesIn(ir)),
    hostNs: (host) => {
      if (!hosts.some((h) => h.name === host)) throw new LabError(`internal: host ${host} is not in this lab`);
      return run.nsName(hostSuffix(host));
    },
    segment(key) {
      let s = segments.get(key);
      if (!s) {
        s = { key, bridge: `s${segments.size}` };
        run.ip(sw(), ["link", "add", s.bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0"]);
        run.ip(sw(), ["link", "set", s.bridge, "up"]);
        segments.set(key, s);
      }
      return s;
    },
    plug(seg, end, o = {}) {
      const peer = peerName();
      run.veth(end, { ns: sw(), name: peer }, { aUp: o.up ?? true });
      run.ip(sw(), ["link", "set", peer, "master", seg.bridge]);
    },
    dangling(end, o = {}) {
      run.veth(end, { ns: sw(), name: peerName() }, { aUp: o.up ?? true });
    },
    shared: new Map(),
    endpoint(ep) {
      if (endpoints.has(ep.id)) throw new LabError(`internal: endpoint ${ep.id} registered twice`);
      endpoints.set(ep.id, ep);
    },
    endpoints,
    finding: (f) => void findings.push(f),
    findings,
    note: (line) => void notes.push(line),
    notes,
  };
}
