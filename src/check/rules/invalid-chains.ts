import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { addressOf } from "../../net/ipv4.js";
import { closest } from "../suggest.js";
import { hostEntries } from "../inventory.js";
import { containerPort } from "../resolve-ovs.js";

/**
 * A chain is an ordered path on one OVS bridge: it starts at a container, each hop is a container
 * on that bridge or, last, a tunnel attached to it; no hop twice (a loop), no container in two
 * chains (its way out would be ambiguous). A container hop sends through the next one, so that one
 * is its gateway; a tunnel hop is reached through the host, whose routing must send the previous
 * hop into it (the tunnel's `usedBy`).
 */
export function invalidChains(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [hostName, host] of hostEntries(topo)) {
    const inChain = new Map<string, string>();
    for (const [chName, ch] of Object.entries(host.chains ?? {})) {
      const base = ["hosts", hostName, "chains", chName];
      const br = host.bridges?.[ch.bridge];
      if (!br) {
        const guess = closest(ch.bridge, Object.keys(host.bridges ?? {}));
        out.push(error("TOPO3001", [...base, "bridge"], `bridge of host \`${hostName}\` \`${ch.bridge}\` is not declared`, guess ? { hint: `did you mean \`${guess}\`?` } : {}));
        continue;
      }
      if (br.kind !== "ovs") {
        out.push(error("TOPO3009", [...base, "bridge"], `chain \`${chName}\` needs an Open vSwitch bridge; \`${ch.bridge}\` is a Linux bridge`, { hint: 'set kind: "ovs" on the bridge' }));
        continue;
      }
      const containers = Object.entries(host.containers ?? {});
      const tunnels = Object.entries(host.tunnels ?? {});
      const candidates = [...containers.filter(([, c]) => c.bridge === ch.bridge).map(([n]) => n), ...tunnels.filter(([, t]) => t.bridge === ch.bridge).map(([n]) => n)];
      const seen = new Map<string, number>();
      const kinds: ("container" | "tunnel" | undefined)[] = [];
      ch.hops.forEach((hop, i) => {
        const hpath = [...base, "hops", i];
        const c = containers.find(([n, x]) => n === hop || containerPort(x) === hop);
        const t = tunnels.find(([n]) => n === hop);
        const key = c ? c[0] : hop;
        if (seen.has(key)) {
          out.push(error("TOPO3009", hpath, `chain \`${chName}\` loops: \`${hop}\` is already hop ${seen.get(key)! + 1}`, { hint: "a chain visits each hop once" }));
        }
        seen.set(key, i);
        if (c) {
          kinds.push("container");
          const [cName, cont] = c;
          if (cont.bridge !== ch.bridge) {
            out.push(error("TOPO3009", hpath, `hop \`${hop}\` is on bridge \`${cont.bridge}\`, not on the chain's bridge \`${ch.bridge}\``, { related: [{ message: "the container", path: ["hosts", hostName, "containers", cName] }] }));
          }
          if (cont.role === "management") {
            out.push(error("TOPO3009", hpath, `hop \`${hop}\` has role "management" (only the host), which contradicts its place in chain \`${chName}\``, { hint: 'give it role "privacy" or none' }));
          }
          const other = inChain.get(cName);
          if (other !== undefined && other !== chName) {
            out.push(error("TOPO3009", hpath, `container \`${cName}\` is already a hop of chain \`${other}\`; its way out would be ambiguous`, { related: [{ message: "the other chain", path: ["hosts", hostName, "chains", other] }] }));
          }
          inChain.set(cName, chName);
        } else if (t) {
          kinds.push("tunnel");
          if (t[1].bridge !== ch.bridge) {
            out.push(
              error("TOPO3009", hpath, `tunnel \`${hop}\` is not attached to bridge \`${ch.bridge}\``, {
                hint: `set bridge: "${ch.bridge}" on the tunnel`,
                related: [{ message: "the tunnel", path: ["hosts", hostName, "tunnels", hop] }],
              }),
            );
          }
          if (i !== ch.hops.length - 1) out.push(error("TOPO3009", hpath, `tunnel \`${hop}\` must be the last hop of chain \`${chName}\`: traffic leaves the host through it`));
          if (i === 0) out.push(error("TOPO3009", hpath, `chain \`${chName}\` must start at a container, not at tunnel \`${hop}\``));
        } else {
          kinds.push(undefined);
          const guess = closest(hop, candidates);
          out.push(
            error("TOPO3009", hpath, `hop \`${hop}\` of chain \`${chName}\` is neither a container nor a tunnel on bridge \`${ch.bridge}\``, {
              hint: guess ? `did you mean \`${guess}\`?` : candidates.length ? `on the bridge: ${candidates.sort().join(", ")}` : "attach containers or a tunnel to the bridge first",
            }),
          );
        }
      });
      // Each container hop's gateway is the next container hop; a tunnel must route the hop before it.
      ch.hops.forEach((hop, i) => {
        const next = ch.hops[i + 1];
        const c = containers.find(([n, x]) => n === hop || containerPort(x) === hop);
        if (!c || next === undefined) return;
        const nc = containers.find(([n, x]) => n === next || containerPort(x) === next);
        if (nc && c[1].gateway !== undefined && c[1].gateway !== addressOf(nc[1].address)) {
          out.push(
            error("TOPO3009", ["hosts", hostName, "containers", c[0], "gateway"], `container \`${c[0]}\` sends through \`${nc[0]}\` in chain \`${chName}\`, so its gateway must be ${addressOf(nc[1].address)}`, {
              hint: `set gateway: "${addressOf(nc[1].address)}" or remove it (topo sets it)`,
              related: [{ message: "the chain", path: base }],
            }),
          );
        }
        const t = tunnels.find(([n]) => n === next);
        if (t && !(t[1].usedBy ?? []).includes(c[0])) {
          out.push(
            error("TOPO3009", [...base, "hops", i + 1], `chain \`${chName}\` sends \`${c[0]}\` into tunnel \`${next}\`, but the tunnel's usedBy does not name it, so the host would not route it there`, {
              hint: `add "${c[0]}" to usedBy of tunnel ${next}`,
              related: [{ message: "the tunnel", path: ["hosts", hostName, "tunnels", next] }],
            }),
          );
        }
      });
      const last = ch.hops.length - 1;
      if (kinds[last] !== undefined && !br.address) {
        out.push(error("TOPO3009", [...base, "bridge"], `chain \`${chName}\` leaves through the host, but bridge \`${ch.bridge}\` has no address`, { hint: "give the bridge an address (the hops' way out)" }));
      }
    }
  }
  return out;
}
