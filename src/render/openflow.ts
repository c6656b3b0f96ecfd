/**
 * The OpenFlow printer: typed flows -> the text `ovs-ofctl add-flows` reads (one flow per line,
 * `#` comment lines with back-references). Prerequisites are derived here and nowhere else: an
 * address match brings `ip` (or becomes arp_spa/arp_tpa under `arp`), so a flow cannot be printed
 * without them. Ports print as the numbers topo requests for them (ofport_request), so the rules
 * load before a container's veth exists; the header maps numbers back to names.
 */
import type { FlowActionIR, FlowIR, FlowMatchIR } from "../ir/ovs.js";

/** name -> OpenFlow port (a number or LOCAL). */
export type PortMap = ReadonlyMap<string, number | "LOCAL">;

export class FlowError extends Error {}

const ADDRESS = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;

function port(ports: PortMap, name: string): string {
  const p = ports.get(name);
  if (p === undefined) throw new FlowError(`port \`${name}\` is not attached to the bridge`);
  return String(p);
}

function address(a: string): string {
  if (!ADDRESS.test(a)) throw new FlowError(`\`${a}\` is not an address or network`);
  return a;
}

/** The match fields, prerequisites first, in the order ovs-ofctl prints them. */
export function printMatch(m: FlowMatchIR, ports: PortMap): string[] {
  const fields: string[] = [];
  const hasAddr = m.src !== undefined || m.dst !== undefined;
  const hasPort = m.srcPort !== undefined || m.dstPort !== undefined;
  let proto = m.proto;
  if (hasPort && proto !== "tcp" && proto !== "udp") throw new FlowError("a port match (tp_src/tp_dst) needs proto tcp or udp");
  if (hasAddr && proto === undefined) proto = "ip";
  if (proto) fields.push(proto);
  if (m.inPort !== undefined) fields.push(`in_port=${port(ports, m.inPort)}`);
  const [srcKey, dstKey] = proto === "arp" ? ["arp_spa", "arp_tpa"] : ["nw_src", "nw_dst"];
  if (m.src !== undefined) fields.push(`${srcKey}=${address(m.src)}`);
  if (m.dst !== undefined) fields.push(`${dstKey}=${address(m.dst)}`);
  if (m.srcPort !== undefined) fields.push(`tp_src=${m.srcPort}`);
  if (m.dstPort !== undefined) fields.push(`tp_dst=${m.dstPort}`);
  if (m.icmpType !== undefined) {
    if (proto !== "icmp") throw new FlowError("an icmp_type match needs proto icmp");
    fields.push(`icmp_type=${m.icmpType}`);
  }
  return fields;
}

export function printActions(actions: readonly FlowActionIR[], table: number, ports: PortMap): string {
  if (actions.length === 0) throw new FlowError("a flow needs at least one action");
  const drops = actions.filter((a) => a.kind === "drop").length;
  if (drops && actions.length > 1) throw new FlowError("`drop` must be the only action of its flow");
  const gotos = actions.filter((a) => a.kind === "goto");
  if (gotos.length > 1 || (gotos.length === 1 && actions[actions.length - 1]!.kind !== "goto")) {
    throw new FlowError("`goto` must be the last action, and only one");
  }
  return actions
    .map((a) => {
      switch (a.kind) {
        case "normal":
          return "NORMAL";
        case "drop":
          return "drop";
        case "local":
          return "LOCAL";
        case "flood":
          return "FLOOD";
        case "in_port":
          return "IN_PORT";
        case "output": {
          const p = port(ports, a.port);
          return p === "LOCAL" ? "LOCAL" : `output:${p}`;
        }
        case "resubmit":
          return `resubmit(,${a.table})`;
        case "goto":
          if (a.table <= table) throw new FlowError(`goto table ${a.table} must go forward (this flow is in table ${table})`);
          return `goto_table:${a.table}`;
        case "learn": {
          const opts = [`table=${a.table}`];
          if (a.hardTimeout !== undefined) opts.push(`hard_timeout=${a.hardTimeout}`);
          if (a.priority !== undefined) opts.push(`priority=${a.priority}`);
          // The way back: frames to this source MAC leave by the port this one came in on.
          return `learn(${opts.join(",")},NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])`;
        }
      }
    })
    .join(",");
}

/** One flow as an add-flows line (no comment). */
export function printFlow(f: FlowIR, ports: PortMap): string {
  const head = [`table=${f.table}`, `priority=${f.priority}`];
  if (f.cookie !== undefined) head.push(`cookie=${f.cookie}`);
  return [...head, ...printMatch(f.match, ports), `actions=${printActions(f.actions, f.table, ports)}`].join(",");
}

/** Comments are single printable lines: ovs-ofctl ignores `#` to the end of the line. */
function commentLine(c: string): string {
  return `# ${c.replace(/[^\x20-\x7e]/g, "?")}`;
}

export interface FlowFile {
  readonly header: readonly string[];
  readonly flows: readonly { readonly comment: string; readonly flow: FlowIR }[];
}

/** The whole file: header comments, then each flow under its back-reference. */
export function printFlowFile(file: FlowFile, ports: PortMap): string {
  const out = file.header.map(commentLine);
  for (const { comment, flow } of file.flows) {
    out.push("", commentLine(comment), printFlow(flow, ports));
  }
  return out.join("\n") + "\n";
}
