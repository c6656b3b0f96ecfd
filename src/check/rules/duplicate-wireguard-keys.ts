import { error, type Diagnostic, type Path } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { hostEntries } from "../inventory.js";
import { keyNeeds, publicKeyOf } from "../wireguard-keys.js";
import type { RuleContext } from "./index.js";

/**
 * A public key identifies one peer: two members, clients or interfaces with the same key would
 * steal each other's traffic (WireGuard keeps one peer per key). A tunnel's far end may repeat
 * across tunnels: every Cloudflare WARP client talks to the same server key.
 */
export function duplicateWireguardKeys(topo: TopologyParsed, ctx: RuleContext): Diagnostic[] {
  const owners: { key: string; owner: string; path: Path; farEnd: boolean }[] = [];
  for (const n of keyNeeds(topo)) {
    const k = publicKeyOf(n, ctx.lock);
    if (k) owners.push({ key: k, owner: `${n.iface} on host \`${n.host}\``, path: n.path, farEnd: false });
  }
  for (const [hostName, host] of hostEntries(topo)) {
    for (const [iface, v] of Object.entries(host.vpnServers ?? {})) {
      for (const [c, client] of Object.entries(v.clients ?? {})) {
        owners.push({ key: client.publicKey, owner: `client \`${c}\` of ${iface} on host \`${hostName}\``, path: ["hosts", hostName, "vpnServers", iface, "clients", c, "publicKey"], farEnd: false });
      }
    }
    for (const [iface, t] of Object.entries(host.tunnels ?? {})) {
      owners.push({ key: t.publicKey, owner: `the far end of tunnel ${iface} on host \`${hostName}\``, path: ["hosts", hostName, "tunnels", iface, "publicKey"], farEnd: true });
    }
  }
  const out: Diagnostic[] = [];
  const first = new Map<string, (typeof owners)[number]>();
  for (const o of owners) {
    const f = first.get(o.key);
    if (!f) {
      first.set(o.key, o);
      continue;
    }
    if (f.farEnd && o.farEnd) continue;
    out.push(
      error("TOPO3008", o.path, `the WireGuard key of ${o.owner} is also the key of ${f.owner}`, {
        hint: "every peer has its own key pair; run `topo keys` for topo-made keys, or correct the copied key",
        related: [{ message: "the same key is used here", path: f.path }],
      }),
    );
  }
  return out;
}
