import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { closest } from "../suggest.js";
import { hostEntries, interfacesOf } from "../inventory.js";
import { bridgePortNames } from "../ports.js";
import type { z } from "zod";
import type { FlowAction } from "../../model/bridge.js";

type FlowActionParsed = z.output<typeof FlowAction>;

/** Every name that refers to something must find it: bridges, interfaces, hosts, VMs, ports. */
export function unknownReferences(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  /** "bridge `vmbr1` is not declared on host `alpha`", with the closest declared name as a hint. */
  const unknown = (path: Path, what: string, name: string, candidates: Iterable<string>) => {
    const list = [...candidates];
    const guess = closest(name, list);
    const [noun, ...scope] = what.split(" ");
    const message = scope.length ? `${noun} \`${name}\` is not declared ${scope.join(" ")}` : `${noun} \`${name}\` is not declared`;
    out.push(
      error("TOPO3001", path, message, {
        hint: guess ? `did you mean \`${guess}\`?` : list.length ? `declared: ${list.sort().join(", ")}` : undefined,
      }),
    );
  };
  const hostNames = Object.keys(topo.hosts);

  for (const [hostName, host] of hostEntries(topo)) {
    const base = ["hosts", hostName];
    const bridges = Object.keys(host.bridges ?? {});
    const ifaces = new Set(interfacesOf(topo, hostName).map((i) => i.name));

    for (const [name, c] of Object.entries(host.containers ?? {})) {
      if (!host.bridges?.[c.bridge]) unknown([...base, "containers", name, "bridge"], `bridge on host \`${hostName}\``, c.bridge, bridges);
    }
    (host.routes ?? []).forEach((r, i) => {
      if (r.interface && !ifaces.has(r.interface)) unknown([...base, "routes", i, "interface"], `interface on host \`${hostName}\``, r.interface, ifaces);
    });
    for (const [name, t] of Object.entries(host.tunnels ?? {})) {
      if (t.bridge && !host.bridges?.[t.bridge]) unknown([...base, "tunnels", name, "bridge"], `bridge on host \`${hostName}\``, t.bridge, bridges);
    }
    const vmNet = host.vmNetwork;
    if (vmNet) {
      const vms = Object.keys(vmNet.vms);
      (vmNet.exceptions ?? []).forEach((e, i) => {
        if (!vmNet.vms[e.from]) unknown([...base, "vmNetwork", "exceptions", i, "from"], "VM", e.from, vms);
        if (!vmNet.vms[e.to]) unknown([...base, "vmNetwork", "exceptions", i, "to"], "VM", e.to, vms);
      });
      if (vmNet.uplink && !ifaces.has(vmNet.uplink)) unknown([...base, "vmNetwork", "uplink"], `interface on host \`${hostName}\``, vmNet.uplink, ifaces);
    }
    for (const [brName, br] of Object.entries(host.bridges ?? {})) {
      if (br.kind !== "ovs") continue;
      const ports = bridgePortNames(topo, hostName, brName);
      const containers = Object.keys(host.containers ?? {});
      const bpath = [...base, "bridges", brName];
      type M = { inPort?: string | undefined; src?: string | undefined; dst?: string | undefined };
      const checkFlow = (fpath: Path, m: M | undefined, actions: readonly FlowActionParsed[]) => {
        if (m?.inPort !== undefined && !ports.has(m.inPort)) unknown([...fpath, "match", "inPort"], `port on bridge \`${brName}\``, m.inPort, ports);
        for (const end of ["src", "dst"] as const) {
          const v = m?.[end];
          // Addresses are checked by the schema; a bare name must be a container of this host.
          if (v !== undefined && /^[A-Za-z]/.test(v) && !host.containers?.[v]) unknown([...fpath, "match", end], `container on host \`${hostName}\``, v, containers);
        }
        actions.forEach((a, j) => {
          if (typeof a === "object" && "output" in a && !ports.has(a.output)) unknown([...fpath, "actions", j, "output"], `port on bridge \`${brName}\``, a.output, ports);
        });
      };
      (br.flows ?? []).forEach((f, i) => checkFlow([...bpath, "flows", i], f.match, f.actions));
      for (const [pName, p] of Object.entries(br.flowPolicies ?? {})) {
        const ppath = [...bpath, "flowPolicies", pName];
        checkFlow(ppath, p.match, p.actions);
        const [kind, key] = p.selector.split(":") as [string, string];
        if (kind === "port" && !ports.has(key)) unknown([...ppath, "selector"], `port of bridge \`${brName}\``, key, ports);
        if (kind === "container") {
          const onBridge = Object.entries(host.containers ?? {}).filter(([, c]) => c.bridge === brName);
          if (!onBridge.some(([n, c]) => n === key || String(c.id) === key)) {
            unknown([...ppath, "selector"], `container on bridge \`${brName}\``, key, onBridge.flatMap(([n, c]) => [n, String(c.id)]));
          }
        }
      }
    }
  }

  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {})) {
    for (const member of Object.keys(mesh.members)) {
      if (!topo.hosts[member]) unknown(["meshes", meshName, "members", member], "host", member, hostNames);
    }
    if (mesh.hub !== undefined && !mesh.members[mesh.hub]) {
      unknown(["meshes", meshName, "hub"], `member in mesh \`${meshName}\``, mesh.hub, Object.keys(mesh.members));
    }
  }

  (topo.expectations ?? []).forEach((e, i) => {
    for (const end of ["from", "to"] as const) {
      const ref = e[end];
      if (ref.startsWith("external.")) continue; // declared by the intent contributors; checked against the matrix
      const [h, obj, extra] = ref.split(".");
      const host = h === undefined ? undefined : topo.hosts[h];
      if (!host || extra !== undefined) {
        unknown(["expectations", i, end], "endpoint", ref, hostNames);
        continue;
      }
      if (obj !== undefined && !host.containers?.[obj] && !host.vmNetwork?.vms[obj]) {
        const objs = [...Object.keys(host.containers ?? {}), ...Object.keys(host.vmNetwork?.vms ?? {})].map((o) => `${h}.${o}`);
        unknown(["expectations", i, end], "endpoint", ref, objs);
      }
    }
  });
  return out;
}
