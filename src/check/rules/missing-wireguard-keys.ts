import { error, type Diagnostic } from "../../diag/diagnostic.js";
import type { TopologyParsed } from "../../model/topology.js";
import { keyNeeds, publicKeyOf } from "../wireguard-keys.js";
import type { RuleContext } from "./index.js";

/** Every WireGuard interface whose public key topo must know has one (topology or topo.lock.json). */
export function missingWireguardKeys(topo: TopologyParsed, ctx: RuleContext): Diagnostic[] {
  return keyNeeds(topo)
    .filter((n) => n.required && publicKeyOf(n, ctx.lock) === undefined)
    .map((n) =>
      error("TOPO3051", n.path, `no WireGuard key for ${n.iface} on host \`${n.host}\``, {
        hint:
          n.kind === "mesh"
            ? "run `topo keys` to create the key pair (or write the member's `publicKey` when its private key is managed elsewhere)"
            : "run `topo keys` to create the key pair (or set `privateKeyFile` when the key is managed elsewhere)",
      }),
    );
}
