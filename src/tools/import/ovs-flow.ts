/**
 * op-dbus keeps flows as ovs-ofctl text ("priority=100,udp,tp_dst=51820,actions=output:veth100");
 * topo keeps them typed. parseFlow reads the subset of the syntax the typed model can say, and
 * refuses (with the part it could not read) anything else, so no flow is imported half-understood.
 */
import type { z } from "zod";
import type { Flow, FlowAction } from "../../model/bridge.js";
import { isIPv4Cidr } from "../../model/common.js";
import { networkOf } from "../../net/ipv4.js";

type FlowInput = z.input<typeof Flow>;
type ActionInput = z.input<typeof FlowAction>;
type Match = NonNullable<FlowInput["match"]>;

/** `widened`: address matches with host bits set, imported as the network OVS really matches. */
export type FlowParse = { ok: true; flow: FlowInput; widened?: string[] } | { ok: false; why: string };

const RESERVED = new Set(["normal", "drop", "local", "flood", "in_port"]);
const PROTOS = new Set(["ip", "tcp", "udp", "icmp", "arp"]);
/** The reverse-path learning the model's `learn` action stands for. */
const LEARN_REVERSE_PATH = ["NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]", "output:NXM_OF_IN_PORT[]"];

/** Split at commas outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

const int = (s: string): number | undefined => (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(s) ? Number(s) : undefined);

function parseAction(a: string): { action: ActionInput } | { why: string } {
  const r = action(a);
  return typeof r === "string" && !RESERVED.has(r) ? { why: r } : { action: r as ActionInput };
}

function action(a: string): ActionInput | string {
  const lower = a.toLowerCase();
  if (RESERVED.has(lower)) return lower as ActionInput;
  let m = /^output:(.+)$/i.exec(a);
  if (m) {
    const port = m[1]!;
    // `output:normal` and friends name a reserved port: the action itself.
    return RESERVED.has(port.toLowerCase()) ? (port.toLowerCase() as ActionInput) : { output: port };
  }
  m = /^resubmit\(,(\d+)\)$/.exec(a) ?? /^resubmit:(\d+)$/.exec(a);
  if (m) return { resubmit: Number(m[1]) };
  m = /^goto_table:(\d+)$/.exec(a);
  if (m) return { goto: Number(m[1]) };
  m = /^learn\((.*)\)$/.exec(a);
  if (m) {
    const learn: { table?: number; hardTimeout?: number; priority?: number } = {};
    const rest: string[] = [];
    for (const part of splitTop(m[1]!)) {
      const [k, v] = part.split("=", 2) as [string, string | undefined];
      const n = v === undefined ? undefined : int(v);
      if (k === "table" && n !== undefined) learn.table = n;
      else if (k === "hard_timeout" && n !== undefined) learn.hardTimeout = n;
      else if (k === "priority" && n !== undefined) learn.priority = n;
      else rest.push(part);
    }
    if (learn.table === undefined || rest.join(",") !== LEARN_REVERSE_PATH.join(",")) return `learn spec \`${m[1]}\` is not the reverse-path learning topo models`;
    return { learn: { table: learn.table, ...(learn.hardTimeout !== undefined ? { hardTimeout: learn.hardTimeout } : {}), ...(learn.priority !== undefined ? { priority: learn.priority } : {}) } };
  }
  return `action \`${a}\` is not one topo models`;
}

export function parseFlow(text: string): FlowParse {
  const at = text.indexOf("actions=");
  if (at < 0) return { ok: false, why: "no actions=" };
  const head = text.slice(0, at).replace(/,\s*$/, "");
  const flow: { table?: number; priority?: number; cookie?: number; match?: Match; actions: ActionInput[] } = { actions: [] };
  const match: Record<string, unknown> = {};
  const widened: string[] = [];
  for (const field of head === "" ? [] : splitTop(head)) {
    const eq = field.indexOf("=");
    const k = eq < 0 ? field : field.slice(0, eq);
    const v = eq < 0 ? undefined : field.slice(eq + 1);
    const n = v === undefined ? undefined : int(v);
    if (v === undefined && PROTOS.has(k)) match.proto = k;
    else if (k === "priority" && n !== undefined) flow.priority = n;
    else if (k === "table" && n !== undefined) flow.table = n;
    else if (k === "cookie" && n !== undefined) flow.cookie = n;
    else if (k === "in_port" && v) match.inPort = v;
    else if ((k === "nw_src" || k === "nw_dst") && v) {
      // OVS masks host bits away (nw_dst=10.0.0.200/24 matches 10.0.0.0/24): import what it matches, and say so.
      const net = isIPv4Cidr(v) && networkOf(v) !== v ? networkOf(v) : v;
      if (net !== v) widened.push(`${k}=${v} has host bits set: imported as ${net}, what OVS matches`);
      match[k === "nw_src" ? "src" : "dst"] = net;
    }
    else if (k === "tp_src" && n !== undefined) match.srcPort = n;
    else if (k === "tp_dst" && n !== undefined) match.dstPort = n;
    else return { ok: false, why: `match field \`${field}\` is not one topo models` };
  }
  for (const a of splitTop(text.slice(at + "actions=".length))) {
    const r = parseAction(a);
    if ("why" in r) return { ok: false, why: r.why };
    flow.actions.push(r.action);
  }
  if (!flow.actions.length) return { ok: false, why: "no action" };
  // The order a reader expects: where, how urgent, what matches, what happens.
  const ordered: FlowInput = {
    ...(flow.table !== undefined ? { table: flow.table } : {}),
    ...(flow.priority !== undefined ? { priority: flow.priority } : {}),
    ...(flow.cookie !== undefined ? { cookie: flow.cookie } : {}),
    ...(Object.keys(match).length ? { match: match as Match } : {}),
    actions: flow.actions,
  };
  return widened.length ? { ok: true, flow: ordered, widened } : { ok: true, flow: ordered };
}
