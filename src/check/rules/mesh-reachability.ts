import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";

/**
 * Mesh members can find each other. A WireGuard peer is dialled at its endpoint, so: a hub has an
 * endpoint and is not behind NAT; in a full mesh every pair has at least one dialable member; a
 * member behind NAT sends keepalives (else its NAT mapping expires and the way back is lost).
 */
export function meshReachability(topo: TopologyParsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {})) {
    const base = ["meshes", meshName];
    const dialable = (h: string) => !!mesh.members[h]?.endpoint && !mesh.members[h]?.behindNat;
    if (mesh.shape === "hub" && mesh.hub === undefined) {
      out.push(error("TOPO3053", [...base, "shape"], `mesh \`${meshName}\` has shape hub but names no hub`, { hint: "add `hub: \"<member>\"`, or use shape \"full\"" }));
    }
    if (mesh.shape === "full" && mesh.hub !== undefined) {
      out.push(error("TOPO3006", [...base, "hub"], `mesh \`${meshName}\` is a full mesh but names a hub`, { hint: 'use shape: "hub", or remove `hub`' }));
    }
    if (mesh.shape === "hub" && mesh.hub !== undefined && mesh.members[mesh.hub] && !dialable(mesh.hub)) {
      const m = mesh.members[mesh.hub]!;
      out.push(
        error("TOPO3053", ["meshes", meshName, "members", mesh.hub], m.behindNat ? `hub \`${mesh.hub}\` of mesh \`${meshName}\` is behind NAT` : `hub \`${mesh.hub}\` of mesh \`${meshName}\` has no endpoint`, {
          hint: "every spoke dials the hub: give it `endpoint: \"<public ip>:<port>\"` and a public address",
        }),
      );
    }
    // Members on undeclared hosts are unknown-references' to report.
    const hosts = Object.keys(mesh.members).filter((h) => topo.hosts[h]).sort();
    if (mesh.shape === "full") {
      for (let i = 0; i < hosts.length; i++) {
        for (let j = 0; j < i; j++) {
          const a = hosts[i]!;
          const b = hosts[j]!;
          if (!dialable(a) && !dialable(b)) {
            out.push(
              error("TOPO3053", ["meshes", meshName, "members", a], `members \`${a}\` and \`${b}\` of mesh \`${meshName}\` cannot reach each other: neither can be dialled`, {
                hint: 'give one of them an endpoint, or use shape: "hub" with a reachable hub',
              }),
            );
          }
        }
      }
    }
    for (const h of hosts) {
      const m = mesh.members[h]!;
      const path = ["meshes", meshName, "members", h];
      if (m.behindNat && (m.keepalive === 0 || (m.keepalive === undefined && mesh.keepalive === 0))) {
        out.push(error("TOPO3053", [...path, "keepalive"], `member \`${h}\` of mesh \`${meshName}\` is behind NAT but sends no keepalive`, { hint: "remove `keepalive: 0` (the default, 25 seconds, keeps the NAT mapping open)" }));
      }
    }
  }
  return out;
}
