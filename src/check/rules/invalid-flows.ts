import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries } from "../inventory.js";
import { isIPv4Cidr } from "../../model/common.js";
import { addressOf, networkOf } from "../../net/ipv4.js";

interface FlowLike {
  readonly table?: number | undefined;
  readonly match?: { proto?: string | undefined; src?: string | undefined; dst?: string | undefined; srcPort?: number | undefined; dstPort?: number | undefined } | undefined;
  readonly actions: readonly unknown[];
}

/**
 * Flows and flow policies that cannot be OpenFlow as written. The printer derives `ip` from an
 * address; what it cannot derive (tcp or udp for a port) or cannot print (drop with other
 * actions, a goto that is not last or goes back) is reported here, at the flow's line. Two flows
 * with one table, priority and match are reported too: ovs-ofctl would keep only the second. So is
 * an address match with host bits set (`10.0.0.200/24`), which OVS silently widens to its network.
 */
export function invalidFlows(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    for (const [brName, br] of Object.entries(host.bridges ?? {})) {
      if (br.kind !== "ovs") continue;
      const bpath = ["hosts", hostName, "bridges", brName];
      const seen = new Map<string, Path>();
      const check = (path: Path, f: FlowLike, table: number, priority: number, inPorts: readonly (string | undefined)[]) => {
        const m = f.match;
        if ((m?.srcPort !== undefined || m?.dstPort !== undefined) && m.proto !== "tcp" && m.proto !== "udp") {
          out.push(
            error("TOPO3011", [...path, "match"], `a port match (tp_src/tp_dst) needs proto "tcp" or "udp"${m.proto ? `, not "${m.proto}"` : ""}`, {
              hint: 'add `proto: "tcp"` or `proto: "udp"` to the match',
            }),
          );
        }
        // OVS masks the host bits away (nw_dst=10.0.0.200/24 matches all of 10.0.0.0/24): say which was meant.
        for (const [key, field] of [["src", "nw_src"], ["dst", "nw_dst"]] as const) {
          const v = m?.[key];
          if (v === undefined || !isIPv4Cidr(v) || networkOf(v) === v) continue;
          out.push(
            error("TOPO3011", [...path, "match", key], `${field} ${v} has host bits set; OVS would widen it to the whole network ${networkOf(v)}`, {
              hint: `write "${addressOf(v)}" for the one address, or "${networkOf(v)}" for the network`,
            }),
          );
        }
        const kinds = f.actions.map((a) => (typeof a === "string" ? a : Object.keys(a as object)[0]!));
        if (kinds.includes("drop") && kinds.length > 1) {
          out.push(error("TOPO3011", [...path, "actions"], "`drop` must be the only action of its flow", { hint: "remove `drop`, or the other actions" }));
        }
        kinds.forEach((k, j) => {
          if (k !== "goto") return;
          const target = (f.actions[j] as { goto: number }).goto;
          if (j !== kinds.length - 1) out.push(error("TOPO3011", [...path, "actions", j], "`goto` must be the last action", { hint: "use `resubmit` to continue in another table and come back" }));
          else if (target <= table) out.push(error("TOPO3011", [...path, "actions", j, "goto"], `goto table ${target} must go forward (this flow is in table ${table})`, { hint: "use `resubmit` to go back to an earlier table" }));
        });
        for (const inPort of inPorts) {
          const key = JSON.stringify([table, priority, { ...m, inPort: inPort ?? (m as { inPort?: string } | undefined)?.inPort }]);
          const first = seen.get(key);
          if (first) {
            out.push(
              error("TOPO3011", path, `this flow has the same table, priority and match as an earlier one; OVS would keep only one of them`, {
                hint: "change its priority or make the match more specific",
                related: [{ message: "the earlier flow", path: first }],
              }),
            );
          } else seen.set(key, path);
        }
      };
      (br.flows ?? []).forEach((f, i) => check([...bpath, "flows", i], f, f.table, f.priority, [undefined]));
      for (const [pName, p] of Object.entries(br.flowPolicies ?? {})) {
        check([...bpath, "flowPolicies", pName], p, p.table, p.priority, [p.selector]);
      }
    }
  }
  return out;
}
