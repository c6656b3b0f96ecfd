/**
 * Fleet deployment: what the flake's Colmena hive says about each host. The same host modules as
 * nixosConfigurations; the target is the address peers reach the host at (its public or static
 * uplink address), else its name (for DHCP hosts, resolved by DNS or ~/.ssh/config).
 */
import type { HostIR } from "../../ir/types.js";
import { nixString } from "../../render/nix.js";

export const DEFAULT_COLMENA = "github:zhaofengli/colmena";

export interface DeployView {
  /** Nix string literal of the host's system. */
  readonly system: string;
  /** Nix string literal of the ssh target. */
  readonly targetHost: string;
  /** Nix string literals, space-separated: `--on @tag` selects hosts by them. */
  readonly tags: string;
}

export function deployView(host: HostIR): DeployView {
  const target = host.uplink.publicAddress ?? host.name;
  const tags = [host.system, ...(host.profile ? [host.profile] : []), ...(host.vmNetwork ? ["vm-host"] : [])];
  return { system: nixString(host.system), targetHost: nixString(target), tags: tags.map(nixString).join(" ") };
}
