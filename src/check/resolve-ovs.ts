/**
 * resolve, Open vSwitch part: a bridge's attachments with their OpenFlow port numbers, the
 * author's flows and policies with every name resolved, and chains as hops. Runs after the rules,
 * so every name it looks up exists.
 */
import type { Path } from "../diag/diagnostic.js";
import type { ChainHopIR, ChainIR, FlowActionIR, FlowIR, FlowMatchIR, FlowPolicyIR, OvsAttachmentIR, OvsDetailIR } from "../ir/ovs.js";
import type { Origin } from "../ir/types.js";
import type { HostParsed } from "../model/topology.js";
import { addressOf } from "../net/ipv4.js";
import { fnv1a } from "../net/hash.js";

type OvsBridgeParsed = Extract<NonNullable<HostParsed["bridges"]>[string], { kind: "ovs" }>;
type FlowParsed = NonNullable<OvsBridgeParsed["flows"]>[number];
type ActionParsed = FlowParsed["actions"][number];
type MatchParsed = NonNullable<FlowParsed["match"]>;

/** Where ports without a requested number land: above container ids, below OFPP_MAX. */
const AUTO_OFPORT_BASE = 60000;
const AUTO_OFPORT_SPAN = 5000;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The interface name of a container's port. */
export function containerPort(c: { id: number; port?: string | undefined }): string {
  return c.port ?? `veth${c.id}`;
}

export function resolveOvsBridge(host: HostParsed, hostName: string, brName: string, br: OvsBridgeParsed, origin: (p: Path) => Origin): OvsDetailIR {
  const base = ["hosts", hostName];
  const attachments = ovsAttachments(host, hostName, brName, br, origin);
  const containerAddress = (name: string) => {
    const c = host.containers?.[name];
    return c ? addressOf(c.address) : name;
  };
  const match = (m: MatchParsed | Omit<MatchParsed, "inPort"> | undefined): FlowMatchIR => {
    if (!m) return {};
    return {
      ...("inPort" in m && m.inPort !== undefined ? { inPort: m.inPort } : {}),
      ...(m.proto ? { proto: m.proto } : {}),
      ...(m.src !== undefined ? { src: containerAddress(m.src) } : {}),
      ...(m.dst !== undefined ? { dst: containerAddress(m.dst) } : {}),
      ...(m.srcPort !== undefined ? { srcPort: m.srcPort } : {}),
      ...(m.dstPort !== undefined ? { dstPort: m.dstPort } : {}),
    };
  };
  const flows: FlowIR[] = (br.flows ?? []).map((f, i) => ({
    origin: origin([...base, "bridges", brName, "flows", i]),
    class: "user",
    table: f.table,
    priority: f.priority,
    ...(f.cookie !== undefined ? { cookie: hex(f.cookie) } : {}),
    match: match(f.match),
    actions: f.actions.map(action),
    ...(f.comment ? { comment: f.comment } : {}),
  }));
  const policies: FlowPolicyIR[] = Object.entries(br.flowPolicies ?? {})
    .map(([name, p]) => ({
      name,
      origin: origin([...base, "bridges", brName, "flowPolicies", name]),
      selector: p.selector,
      ports: selectPorts(host, brName, attachments, p.selector),
      table: p.table,
      priority: p.priority,
      ...(p.cookie !== undefined ? { cookie: p.cookie } : {}),
      match: match(p.match),
      actions: p.actions.map(action),
    }))
    .sort(byName);
  return { attachments, flows, policies, failMode: br.failMode };
}

function ovsAttachments(host: HostParsed, hostName: string, brName: string, br: OvsBridgeParsed, origin: (p: Path) => Origin): OvsAttachmentIR[] {
  const base = ["hosts", hostName];
  const out: OvsAttachmentIR[] = [];
  for (const [name, c] of Object.entries(host.containers ?? {})) {
    if (c.bridge !== brName) continue;
    const internal = c.portType === "internal";
    const tunnel = Object.entries(host.tunnels ?? {}).find(([, t]) => (t.usedBy ?? []).includes(name))?.[0];
    out.push({
      name: containerPort(c),
      kind: "container",
      origin: origin([...base, "containers", name]),
      ofport: c.ofport ?? c.id,
      type: internal ? "internal" : "system",
      late: !internal,
      container: name,
      address: addressOf(c.address),
      role: c.role ?? "service",
      ...(tunnel ? { tunnel } : {}),
    });
  }
  for (const [name, t] of Object.entries(host.tunnels ?? {})) {
    if (t.bridge !== brName) continue;
    out.push({ name, kind: "tunnel", origin: origin([...base, "tunnels", name]), ofport: "LOCAL", type: "local", late: false });
  }
  // Declared ports: a requested number, else a stable one derived from the name (adding a port
  // never renumbers another), probing past numbers already taken.
  const taken = new Set(out.map((a) => a.ofport));
  for (const [name, p] of Object.entries(br.ports ?? {})) if (p.ofport !== undefined) taken.add(p.ofport);
  for (const [name, p] of Object.entries(br.ports ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let ofport = p.ofport;
    if (ofport === undefined) {
      let n = AUTO_OFPORT_BASE + (fnv1a(name) % AUTO_OFPORT_SPAN);
      while (taken.has(n)) n = n + 1 >= AUTO_OFPORT_BASE + AUTO_OFPORT_SPAN ? AUTO_OFPORT_BASE : n + 1;
      taken.add(n);
      ofport = n;
    }
    out.push({
      name,
      kind: "port",
      origin: origin([...base, "bridges", brName, "ports", name]),
      ofport,
      type: p.type ?? "system",
      late: false,
      ...(p.vlan !== undefined ? { vlan: p.vlan } : {}),
    });
  }
  const local: OvsAttachmentIR = { name: brName, kind: "local", origin: origin([...base, "bridges", brName]), ofport: "LOCAL", type: "local", late: false };
  return [local, ...out.sort(byName)];
}

/** The attachments a selector names: `container:<id or name>` or `port:<name>`. */
export function selectPorts(host: HostParsed, brName: string, attachments: readonly { name: string; container?: string }[], selector: string): string[] {
  const [kind, key] = selector.split(":") as [string, string];
  if (kind === "port") return attachments.some((a) => a.name === key) ? [key] : [];
  const entry = Object.entries(host.containers ?? {}).find(([name, c]) => c.bridge === brName && (name === key || String(c.id) === key));
  return entry ? [containerPort(entry[1])] : [];
}

function action(a: ActionParsed): FlowActionIR {
  if (typeof a === "string") return { kind: a };
  if ("output" in a) return { kind: "output", port: a.output };
  if ("resubmit" in a) return { kind: "resubmit", table: a.resubmit };
  if ("goto" in a) return { kind: "goto", table: a.goto };
  return {
    kind: "learn",
    table: a.learn.table,
    ...(a.learn.hardTimeout !== undefined ? { hardTimeout: a.learn.hardTimeout } : {}),
    ...(a.learn.priority !== undefined ? { priority: a.learn.priority } : {}),
  };
}

export function resolveChains(host: HostParsed, hostName: string, origin: (p: Path) => Origin): ChainIR[] {
  return Object.entries(host.chains ?? {})
    .map(([name, ch]): ChainIR => {
      const hops: ChainHopIR[] = ch.hops.map((hop) => {
        const c = host.containers?.[hop] ?? Object.values(host.containers ?? {}).find((x) => containerPort(x) === hop);
        if (c) return { name: Object.entries(host.containers ?? {}).find(([, x]) => x === c)![0], kind: "container", port: containerPort(c), address: addressOf(c.address) };
        return { name: hop, kind: "tunnel", port: hop };
      });
      return {
        name,
        origin: origin(["hosts", hostName, "chains", name]),
        ...(ch.description ? { description: ch.description } : {}),
        bridge: ch.bridge,
        hops,
        failClosed: ch.failClosed,
        ...(ch.dns ? { dns: ch.dns } : {}),
      };
    })
    .sort(byName);
}

/**
 * A container that is a hop of a chain sends its traffic to the next hop, so the next hop is its
 * default gateway unless the author set one (a rule rejects a different one).
 */
export function chainGateway(host: HostParsed, containerName: string): string | undefined {
  const self = host.containers?.[containerName];
  const find = (hop: string) => host.containers?.[hop] ?? Object.values(host.containers ?? {}).find((x) => containerPort(x) === hop);
  for (const ch of Object.values(host.chains ?? {})) {
    const i = ch.hops.findIndex((h) => find(h) === self);
    const next = i >= 0 ? ch.hops[i + 1] : undefined;
    const c = next !== undefined ? find(next) : undefined;
    if (c) return addressOf(c.address);
  }
  return undefined;
}

function hex(n: number): string {
  return "0x" + n.toString(16);
}

