/**
 * systemd.network.{netdevs,networks} values -> the unit files NixOS writes to /etc/systemd/network,
 * rendered as nixos/lib/systemd-network-units.nix does: fixed section order, `[Match]` only when
 * non-empty, keys in attribute (sorted) order, a list value as one `Key=value` line per element,
 * `true`/`false` for booleans, and one section per element of the list options (`routes` ->
 * `[Route]`...), in the flat shape of NixOS >= 24.11 (legacy `routeConfig`-style wrappers are
 * unwrapped, as NixOS does). An option this renderer does not know is an error, never a guess.
 */
import { isObject, type Json, type JsonObject } from "./tree.js";

/** Attribute-set sections of a .netdev, in NixOS's order after [Match] and [NetDev]. */
const NETDEV_SECTIONS: readonly (readonly [string, string])[] = [
  ["bridgeConfig", "Bridge"],
  ["vlanConfig", "VLAN"],
  ["ipvlanConfig", "IPVLAN"],
  ["ipvtapConfig", "IPVTAP"],
  ["macvlanConfig", "MACVLAN"],
  ["macvtapConfig", "MACVTAP"],
  ["vxlanConfig", "VXLAN"],
  ["tunnelConfig", "Tunnel"],
  ["fooOverUDPConfig", "FooOverUDP"],
  ["peerConfig", "Peer"],
  ["tunConfig", "Tun"],
  ["tapConfig", "Tap"],
  ["l2tpConfig", "L2TP"],
  ["l2tpSessions*", "L2TPSession"],
  ["wireguardConfig", "WireGuard"],
  ["wireguardPeers*", "WireGuardPeer"],
  ["bondConfig", "Bond"],
  ["xfrmConfig", "Xfrm"],
  ["vrfConfig", "VRF"],
  ["wlanConfig", "WLAN"],
  ["batmanAdvancedConfig", "BatmanAdvanced"],
];

/** `[Network]` shorthands: list options rendered as repeated keys after networkConfig. */
const NETWORK_SHORTHANDS: readonly (readonly [string, string])[] = [
  ["address", "Address"],
  ["gateway", "Gateway"],
  ["dns", "DNS"],
  ["ntp", "NTP"],
  ["bridge", "Bridge"],
  ["bond", "Bond"],
  ["vrf", "VRF"],
  ["vlan", "VLAN"],
  ["macvlan", "MACVLAN"],
  ["macvtap", "MACVTAP"],
  ["vxlan", "VXLAN"],
  ["tunnel", "Tunnel"],
  ["xfrm", "Xfrm"],
];

/** Sections of a .network after [Network], in NixOS's order; `*` marks list options (one section per element). */
const NETWORK_SECTIONS: readonly (readonly [string, string])[] = [
  ["addresses*", "Address"],
  ["routingPolicyRules*", "RoutingPolicyRule"],
  ["routes*", "Route"],
  ["dhcpV4Config", "DHCPv4"],
  ["dhcpV6Config", "DHCPv6"],
  ["dhcpPrefixDelegationConfig", "DHCPPrefixDelegation"],
  ["ipv6AcceptRAConfig", "IPv6AcceptRA"],
  ["dhcpServerConfig", "DHCPServer"],
  ["ipv6SendRAConfig", "IPv6SendRA"],
  ["ipv6Prefixes*", "IPv6Prefix"],
  ["ipv6RoutePrefixes*", "IPv6RoutePrefix"],
  ["ipv6PREF64Prefixes*", "IPv6PREF64Prefix"],
  ["dhcpServerStaticLeases*", "DHCPServerStaticLease"],
  ["bridgeConfig", "Bridge"],
  ["bridgeFDBs*", "BridgeFDB"],
  ["bridgeMDBs*", "BridgeMDB"],
  ["lldpConfig", "LLDP"],
  ["canConfig", "CAN"],
  ["ipoIBConfig", "IPoIB"],
  ["qdiscConfig", "QDisc"],
  ["bridgeVLANs*", "BridgeVLAN"],
];

/** Legacy wrapper key of each list option's elements (NixOS <= 24.05 shape, unwrapped like NixOS does). */
const LEGACY_WRAPPER: Readonly<Record<string, string>> = {
  routes: "routeConfig",
  addresses: "addressConfig",
  routingPolicyRules: "routingPolicyRuleConfig",
  ipv6Prefixes: "ipv6PrefixConfig",
  ipv6RoutePrefixes: "ipv6RoutePrefixConfig",
  ipv6PREF64Prefixes: "ipv6PREF64PrefixConfig",
  dhcpServerStaticLeases: "dhcpServerStaticLeaseConfig",
  bridgeFDBs: "bridgeFDBConfig",
  bridgeMDBs: "bridgeMDBConfig",
  bridgeVLANs: "bridgeVLANConfig",
  wireguardPeers: "wireguardPeerConfig",
  l2tpSessions: "l2tpSessionConfig",
};

/** Options of every unit that are not sections. */
const META = new Set(["enable", "extraConfig", "name", "matchConfig", "linkConfig"]);

export class UnitRenderError extends Error {}

function toOption(v: Json): string {
  if (v === true) return "true";
  if (v === false) return "false";
  if (v === null || typeof v === "object") throw new UnitRenderError(`a unit value must be a scalar or a list of scalars, not ${JSON.stringify(v)}`);
  return String(v);
}

/** attrsToSection: keys in attribute order, lists as repeated keys. */
function attrsToSection(as: JsonObject): string {
  let out = "";
  for (const k of Object.keys(as).sort(nixOrder)) {
    const v = as[k]!;
    for (const x of Array.isArray(v) ? v : [v]) out += `${k}=${toOption(x)}\n`;
  }
  return out;
}

/** Nix sorts attribute names by bytes. */
function nixOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function section(name: string, body: JsonObject): string {
  return `[${name}]\n${attrsToSection(body)}\n`;
}

function obj(def: JsonObject, key: string, unit: string): JsonObject {
  const v = def[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new UnitRenderError(`${unit}: ${key} must be an attribute set`);
  return v;
}

function list(def: JsonObject, key: string, unit: string): Json[] {
  const v = def[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new UnitRenderError(`${unit}: ${key} must be a list`);
  return v;
}

function unwrap(key: string, el: Json, unit: string): JsonObject {
  if (!isObject(el)) throw new UnitRenderError(`${unit}: elements of ${key} must be attribute sets`);
  const legacy = LEGACY_WRAPPER[key];
  if (legacy && legacy in el) return el[legacy] as JsonObject;
  return el;
}

function renderSections(def: JsonObject, table: readonly (readonly [string, string])[], unit: string): string {
  let out = "";
  for (const [opt, sec] of table) {
    if (opt.endsWith("*")) {
      const key = opt.slice(0, -1);
      for (const el of list(def, key, unit)) out += section(sec, unwrap(key, el, unit));
    } else {
      const body = obj(def, opt, unit);
      if (Object.keys(body).length) out += section(sec, body);
    }
  }
  return out;
}

function checkKnown(def: JsonObject, known: Iterable<string>, unit: string): void {
  const ok = new Set([...META, ...known]);
  const unknown = Object.keys(def).filter((k) => !ok.has(k));
  if (unknown.length) throw new UnitRenderError(`${unit}: the lab does not know how NixOS renders ${unknown.join(", ")}`);
}

function matchText(def: JsonObject, unit: string): string {
  const m = { ...obj(def, "matchConfig", unit) };
  if (typeof def.name === "string") m.Name = def.name;
  return Object.keys(m).length ? section("Match", m) : "";
}

function extra(def: JsonObject): string {
  return typeof def.extraConfig === "string" ? def.extraConfig : "";
}

export function netdevToUnit(def: JsonObject, unit: string): string {
  checkKnown(def, ["netdevConfig", ...NETDEV_SECTIONS.map(([o]) => o.replace("*", ""))], unit);
  return matchText(def, unit) + section("NetDev", obj(def, "netdevConfig", unit)) + renderSections(def, NETDEV_SECTIONS, unit) + extra(def);
}

export function networkToUnit(def: JsonObject, unit: string): string {
  checkKnown(def, ["networkConfig", "DHCP", "domains", ...NETWORK_SHORTHANDS.map(([o]) => o), ...NETWORK_SECTIONS.map(([o]) => o.replace("*", ""))], unit);
  const link = obj(def, "linkConfig", unit);
  const net = { ...obj(def, "networkConfig", unit) };
  if (typeof def.DHCP === "string") net.DHCP = def.DHCP;
  if (Array.isArray(def.domains)) net.Domains = def.domains;
  let text = matchText(def, unit) + (Object.keys(link).length ? section("Link", link) : "") + "[Network]\n" + attrsToSection(net);
  for (const [opt, key] of NETWORK_SHORTHANDS) {
    const vs = list(def, opt, unit);
    if (vs.length) text += vs.map((v) => `${key}=${toOption(v)}`).join("\n") + "\n";
  }
  return text + "\n" + renderSections(def, NETWORK_SECTIONS, unit) + extra(def);
}

export interface RenderedUnits {
  /** File name (`<attr>.netdev` / `<attr>.network`) -> text. */
  readonly files: Map<string, string>;
  /** Interface names the netdevs create (their NetDev Name). */
  readonly netdevNames: readonly string[];
  /** NetDev Kind of each of them. */
  readonly netdevKinds: ReadonlyMap<string, string>;
}

/** Every enabled netdev and network of a host's `systemd.network`. */
export function renderNetworkd(systemdNetwork: JsonObject | undefined): RenderedUnits {
  const files = new Map<string, string>();
  const netdevNames: string[] = [];
  const netdevKinds = new Map<string, string>();
  if (!systemdNetwork || systemdNetwork.enable === false) return { files, netdevNames, netdevKinds };
  for (const [kind, render] of [
    ["netdevs", netdevToUnit],
    ["networks", networkToUnit],
  ] as const) {
    const units = systemdNetwork[kind];
    if (units === undefined) continue;
    if (!isObject(units)) throw new UnitRenderError(`systemd.network.${kind} must be an attribute set`);
    for (const name of Object.keys(units).sort(nixOrder)) {
      const def = units[name]!;
      if (!isObject(def)) throw new UnitRenderError(`systemd.network.${kind}.${name} must be an attribute set`);
      if (def.enable === false) continue;
      const file = `${name}.${kind === "netdevs" ? "netdev" : "network"}`;
      files.set(file, render(def, file));
      if (kind === "netdevs") {
        const n = isObject(def.netdevConfig) ? def.netdevConfig.Name : undefined;
        const k = isObject(def.netdevConfig) ? def.netdevConfig.Kind : undefined;
        if (typeof n === "string") netdevNames.push(n);
        if (typeof n === "string" && typeof k === "string") netdevKinds.set(n, k);
      }
    }
  }
  if (isObject(systemdNetwork.links) && Object.keys(systemdNetwork.links).length) {
    throw new UnitRenderError("systemd.network.links (.link files) are applied by udev, which the lab does not run");
  }
  return { files, netdevNames, netdevKinds };
}
