import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { closest } from "../suggest.js";
import { hostEntries } from "../inventory.js";
import { containerPort } from "../resolve-ovs.js";

/**
 * Who exits through a tunnel must be able to: `usedBy` names containers of the tunnel's host or
 * `<host>.<service>` of a host sharing a mesh with it; `exitVia` names an existing tunnel; a source
 * has one exit; and no mesh interface would need a default route towards two different peers.
 * A management container reaches only the host, so it exits through no tunnel; a container that
 * exits through one is bound to its port (role "privacy", or a chain hop), never kept in the tunnel
 * by its source address alone.
 * A tunnel is a routed (L3) device, so it can be a port of an Open vSwitch bridge but not of a
 * Linux bridge.
 */
export function tunnelUsers(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const unknown = (path: Path, what: string, name: string, candidates: string[]) => {
    const guess = closest(name, candidates);
    out.push(error("TOPO3001", path, `${what} \`${name}\` is not declared`, { hint: guess ? `did you mean \`${guess}\`?` : candidates.length ? `declared: ${candidates.sort().join(", ")}` : undefined }));
  };
  const meshOf = (a: string, b: string) =>
    Object.entries(topo.meshes ?? {})
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .find(([, m]) => m.members[a] && m.members[b]);

  // source -> the exits it was given, to find sources with two exits.
  const exitsOf = new Map<string, { exit: string; path: Path }[]>();
  const addExit = (source: string, exit: string, path: Path) => {
    const list = exitsOf.get(source) ?? [];
    if (!list.some((e) => e.exit === exit)) list.push({ exit, path });
    exitsOf.set(source, list);
  };

  for (const [hostName, host] of hostEntries(topo)) {
    // Chain hops are bound to their ports by the chain's guards, whatever their role.
    const chainHops = new Set(
      Object.values(host.chains ?? {}).flatMap((ch) => ch.hops.flatMap((hop) => Object.entries(host.containers ?? {}).filter(([n, x]) => n === hop || containerPort(x) === hop).map(([n]) => n))),
    );
    for (const [iface, t] of Object.entries(host.tunnels ?? {})) {
      const base = ["hosts", hostName, "tunnels", iface];
      const exit = `${hostName}.${iface}`;
      if (t.bridge && host.bridges?.[t.bridge]?.kind === "linux") {
        out.push(
          error("TOPO3006", [...base, "bridge"], `tunnel ${iface} cannot be a port of Linux bridge ${t.bridge}: a WireGuard interface has no Ethernet layer`, {
            hint: "attach it to an Open vSwitch bridge, or drop `bridge` and let `usedBy` route the chosen sources into it",
          }),
        );
      }
      (t.usedBy ?? []).forEach((ref, i) => {
        const path = [...base, "usedBy", i];
        const parts = ref.split(".");
        if (parts.length === 1) {
          if (!host.containers?.[ref]) return unknown(path, `container of host \`${hostName}\``, ref, Object.keys(host.containers ?? {}));
          if (host.containers[ref]!.role === "management") {
            // Its role keeps it to the host: it may not exit anywhere, a tunnel included.
            return out.push(
              error("TOPO3054", path, `container \`${ref}\` has role "management" (it reaches only the host), so it cannot exit through ${iface}`, {
                hint: `remove "${ref}" from usedBy, or give the container role "privacy" or none`,
                related: [{ message: "the container's role", path: ["hosts", hostName, "containers", ref, "role"] }],
              }),
            );
          }
          if (host.containers[ref]!.role !== "privacy" && !chainHops.has(ref)) {
            // Kept in the tunnel by its source address only, it would leave by the uplink after changing it.
            out.push(
              error("TOPO3054", path, `container \`${ref}\` is kept in ${iface} only by the address it sends from, which it can change: renumbered, it would leave by the uplink`, {
                hint: `give \`${ref}\` role "privacy" (its Open vSwitch port then admits only its own address), or make it a hop of a chain ending in ${iface}`,
                related: [{ message: "the container", path: ["hosts", hostName, "containers", ref] }],
              }),
            );
          }
          return addExit(`${hostName}.${ref}`, exit, path);
        }
        const [userHost, service] = parts as [string, string];
        const other = topo.hosts[userHost];
        if (parts.length !== 2 || !other) return unknown(path, "host", userHost, Object.keys(topo.hosts));
        if (!other.services?.[service]) return unknown(path, `service of host \`${userHost}\``, service, Object.keys(other.services ?? {}));
        if (userHost === hostName) {
          return out.push(error("TOPO3054", path, `\`${ref}\` runs on the tunnel's own host`, { hint: "usedBy takes containers of this host, or services of other hosts that reach it over a mesh" }));
        }
        const via = other.services[service]!.exitVia;
        if (via !== undefined && via !== exit) {
          return out.push(
            error("TOPO3054", path, `service \`${ref}\` exits via ${via}, not ${exit}`, { related: [{ message: "its exitVia", path: ["hosts", userHost, "services", service, "exitVia"] }] }),
          );
        }
        if (!meshOf(userHost, hostName)) {
          return out.push(error("TOPO3054", path, `host \`${userHost}\` shares no mesh with \`${hostName}\`, so it cannot exit through ${iface}`, { hint: `make both members of one mesh` }));
        }
        addExit(userHost, exit, path);
      });
    }
    // A chain ending in a tunnel makes each of its container hops exit there.
    for (const [chName, ch] of Object.entries(host.chains ?? {})) {
      const last = ch.hops[ch.hops.length - 1];
      if (last === undefined || !host.tunnels?.[last]) continue;
      ch.hops.forEach((hop, i) => {
        const c = Object.entries(host.containers ?? {}).find(([n, x]) => n === hop || containerPort(x) === hop);
        if (c) addExit(`${hostName}.${c[0]}`, `${hostName}.${last}`, ["hosts", hostName, "chains", chName, "hops", i]);
      });
    }
    for (const [service, svc] of Object.entries(host.services ?? {})) {
      if (svc.exitVia === undefined) continue;
      const path = ["hosts", hostName, "services", service, "exitVia"];
      const [exitHost, tunnel, extra] = svc.exitVia.split(".");
      const eh = exitHost === undefined ? undefined : topo.hosts[exitHost];
      if (!eh || tunnel === undefined || extra !== undefined) {
        unknown(path, "host", exitHost ?? svc.exitVia, Object.keys(topo.hosts));
        continue;
      }
      if (!eh.tunnels?.[tunnel]) {
        unknown(path, `tunnel of host \`${exitHost}\``, tunnel, Object.keys(eh.tunnels ?? {}));
        continue;
      }
      if (exitHost === hostName) {
        out.push(error("TOPO3054", path, `service \`${service}\` exits via a tunnel of its own host`, { hint: "exitVia is for exits on another host across a mesh" }));
        continue;
      }
      if (!meshOf(hostName, exitHost!)) {
        out.push(error("TOPO3054", path, `host \`${hostName}\` shares no mesh with \`${exitHost}\`, so it cannot exit through ${tunnel}`, { hint: "make both members of one mesh" }));
        continue;
      }
      addExit(hostName, svc.exitVia, path);
    }
  }

  // A host's services share its overlay address as source: one exit per host; a container, one exit.
  const defaultTowards = new Map<string, { peer: string; path: Path }>();
  for (const [source, exits] of [...exitsOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (exits.length > 1) {
      out.push(
        error("TOPO3054", exits[1]!.path, `\`${source}\` would exit through both ${exits[0]!.exit} and ${exits[1]!.exit}`, {
          hint: source.includes(".") ? "a container exits through one tunnel" : "services of one host leave from its overlay address, so they share one exit",
          related: [{ message: "the other exit", path: exits[0]!.path }],
        }),
      );
      continue;
    }
    if (source.includes(".")) continue;
    // Every hop towards the exit routes 0.0.0.0/0 to one peer on the mesh interface.
    const [exitHost] = exits[0]!.exit.split(".") as [string];
    const found = meshOf(source, exitHost);
    if (!found) continue;
    const [meshName, mesh] = found;
    const hops = mesh.shape === "hub" && mesh.hub && source !== mesh.hub && exitHost !== mesh.hub ? [source, mesh.hub, exitHost] : [source, exitHost];
    for (let i = 0; i < hops.length - 1; i++) {
      const key = `${meshName}\u0000${hops[i]}`;
      const prev = defaultTowards.get(key);
      if (prev && prev.peer !== hops[i + 1]) {
        out.push(
          error("TOPO3054", exits[0]!.path, `on mesh \`${meshName}\`, \`${hops[i]}\` would need its default route towards both \`${prev.peer}\` and \`${hops[i + 1]}\``, {
            hint: "exits across one mesh that pass the same host must leave by the same exit host",
            related: [{ message: "the other exit", path: prev.path }],
          }),
        );
      } else defaultTowards.set(key, { peer: hops[i + 1]!, path: exits[0]!.path });
    }
  }
  return out;
}
