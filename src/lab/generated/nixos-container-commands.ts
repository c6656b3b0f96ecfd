/**
 * The `ip` commands NixOS runs for a declarative container (`containers.<name>`), rendered from the
 * generated configuration the way nixpkgs' modules render them, so the lab can run them with the
 * real `ip` in the container's and the host's namespaces:
 *
 * - nixos/modules/virtualisation/nixos-containers.nix: `preStartScript` (host: delete stale extra
 *   veths), the container's `containerInit` (host0 -> eth0, LOCAL_ADDRESS, routes to HOST_ADDRESS;
 *   each extra veth up, its localAddress, a route to its hostAddress) and `postStartScript` (host:
 *   ve-<name> or each extra veth up, its hostAddress, and a route to its localAddress, or into
 *   `hostBridge`). The module interpolates the values into the script unquoted; so does this.
 * - nixos/modules/tasks/network-interfaces-scripted.nix, inside the container (scripted networking,
 *   the default of a NixOS container): `network-addresses-<if>` (link up, `ip addr replace CIDR dev
 *   IF nodad`) and the default gateway of `network-setup` (`ip -4 route replace GW proto static dev
 *   IF`, then the default route via it).
 *
 * What systemd-nspawn itself does (create the veth pairs, `--network-bridge` enslaving) is not
 * a command of the module and is left to the caller.
 */
import type { Json, JsonObject } from "./tree.js";

export type Side = "host" | "container";

export interface ContainerCommand {
  readonly side: Side;
  /** Where NixOS runs it: "preStart", "containerInit", "network-addresses-veth104", "postStart", ... */
  readonly step: string;
  /** `ip` arguments (without `ip`). */
  readonly args: readonly string[];
  /** The module ignores its failure (`|| true`). */
  readonly mayFail?: boolean;
}

/** The veth pairs nspawn creates for the container: host-side name, container-side name, bridge. */
export interface NspawnVeth {
  readonly host: string;
  readonly container: string;
  readonly bridge?: string;
}

export interface ContainerScript {
  readonly veths: readonly NspawnVeth[];
  readonly commands: readonly ContainerCommand[];
}

const str = (v: Json | undefined): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const obj = (v: Json | undefined): JsonObject => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : {});
/** An unquoted shell word list, as the module's interpolation gives it to the shell. */
const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** Render the commands of `containers.<name>` (one entry of the generated containers.nix). */
export function containerCommands(name: string, c: JsonObject): ContainerScript {
  const veths: NspawnVeth[] = [];
  const commands: ContainerCommand[] = [];
  const host = (step: string, args: string[], mayFail?: boolean) => commands.push({ side: "host", step, args, ...(mayFail ? { mayFail } : {}) });
  const inside = (step: string, args: string[]) => commands.push({ side: "container", step, args });

  // The environment file of container@<name> (HOST_ADDRESS, LOCAL_ADDRESS, HOST_BRIDGE).
  const hostAddress = str(c.hostAddress);
  const localAddress = str(c.localAddress);
  const hostBridge = str(c.hostBridge);
  const extra = Object.entries(obj(c.extraVeths)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const addressed = hostAddress !== undefined || localAddress !== undefined;

  // preStartScript
  if (addressed) {
    host("preStart", ["link", "del", "dev", `ve-${name}`], true);
    host("preStart", ["link", "del", "dev", `vb-${name}`], true);
  }
  for (const [veth] of extra) host("preStart", ["link", "del", "dev", veth], true);

  // systemd-nspawn: --network-veth / --network-bridge, and --network-veth-extra=<veth> (same name on both sides).
  if (c.privateNetwork === true && (addressed || hostBridge)) {
    veths.push(hostBridge ? { host: `vb-${name}`, container: "host0", bridge: hostBridge } : { host: `ve-${name}`, container: "host0" });
  }
  for (const [veth] of extra) veths.push({ host: veth, container: veth });

  // containerInit
  if (addressed || hostBridge) {
    inside("containerInit", ["link", "set", "host0", "name", "eth0"]);
    inside("containerInit", ["link", "set", "dev", "eth0", "up"]);
    if (localAddress) inside("containerInit", ["addr", "add", ...words(localAddress), "dev", "eth0"]);
    if (hostAddress) {
      inside("containerInit", ["route", "add", ...words(hostAddress), "dev", "eth0"]);
      inside("containerInit", ["route", "add", "default", "via", ...words(hostAddress)]);
    }
  }
  for (const [veth, v] of extra) {
    const e = obj(v);
    inside("containerInit", ["link", "set", "dev", veth, "up"]);
    if (str(e.localAddress)) inside("containerInit", ["addr", "add", ...words(str(e.localAddress)!), "dev", veth]);
    if (str(e.hostAddress)) inside("containerInit", ["route", "add", ...words(str(e.hostAddress)!), "dev", veth]);
  }

  // Stage 2 inside: the container's own NixOS networking (scripted).
  const net = obj(obj(c.config).networking);
  const ifaces = Object.entries(obj(net.interfaces)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [ifname, i] of ifaces) {
    const step = `network-addresses-${ifname}`;
    inside(step, ["link", "set", "dev", ifname, "up"]);
    const v4 = obj(obj(i).ipv4).addresses;
    for (const a of Array.isArray(v4) ? v4 : []) {
      const o = obj(a);
      inside(step, ["addr", "replace", `${String(o.address)}/${String(o.prefixLength)}`, "dev", ifname, "nodad"]);
    }
  }
  const gw = obj(net.defaultGateway);
  const gwAddress = str(gw.address) ?? (typeof net.defaultGateway === "string" ? net.defaultGateway : undefined);
  if (gwAddress) {
    const dev = str(gw.interface);
    if (dev) inside("network-setup", ["-4", "route", "replace", gwAddress, "proto", "static", "dev", dev]);
    inside("network-setup", ["-4", "route", "replace", "default", "proto", "static", "via", gwAddress, ...(dev ? ["dev", dev] : [])]);
  }

  // postStartScript
  if (addressed && !hostBridge) {
    const ve = `ve-${name}`;
    host("postStart", ["link", "set", "dev", ve, "up"]);
    if (hostAddress) host("postStart", ["addr", "add", hostAddress, "dev", ve]);
    if (localAddress) host("postStart", ["route", "add", localAddress, "dev", ve]);
  }
  for (const [veth, v] of extra) {
    const e = obj(v);
    if (str(e.hostBridge)) {
      host("postStart", ["link", "set", "dev", veth, "master", str(e.hostBridge)!, "up"]);
      continue;
    }
    host("postStart", ["link", "set", "dev", veth, "up"]);
    if (str(e.hostAddress)) host("postStart", ["addr", "add", ...words(str(e.hostAddress)!), "dev", veth]);
    if (str(e.localAddress)) host("postStart", ["route", "add", ...words(str(e.localAddress)!), "dev", veth]);
  }
  return { veths, commands };
}
