import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { isWireguardKey } from "../../net/x25519.js";
import { keyNeeds, wireguardLock } from "../wireguard-keys.js";
import type { RuleContext } from "./index.js";

/**
 * Public keys in topo.lock.json are 32 bytes of base64 (the schema already checks the topology's
 * own keys): a hand-edited or truncated lock must not reach a netdev.
 */
export function wireguardKeyFormat(topo: TopologyParsed, ctx: RuleContext): Diagnostic[] {
  const locked = wireguardLock(ctx.lock).publicKeys ?? {};
  const out: Diagnostic[] = [];
  for (const n of keyNeeds(topo)) {
    const k = locked[n.host]?.[n.iface];
    if (n.given === undefined && k !== undefined && (typeof k !== "string" || !isWireguardKey(k))) {
      out.push(
        error("TOPO3008", n.path, `the public key of ${n.iface} on host \`${n.host}\` in topo.lock.json is not a WireGuard key (32 bytes, base64)`, {
          hint: "remove the entry from topo.lock.json and run `topo keys`: it derives the public key from the private key file again",
        }),
      );
    }
  }
  return out;
}
