/**
 * op-dbus state -> topology. One op-dbus state file describes one host: its containers (lxc), its
 * Open vSwitch bridges, flows and flow policies (openflow), the Netmaker mesh it joins, its
 * WireGuard tunnels and VPN server, forwarding and routes. Everything the model can say is carried
 * over; what it cannot (or what the state does not say but topo needs) is marked, never invented:
 * values topo needs but the state lacks are written as "assumed" with a comment, and entries that
 * cannot compile without data the state does not hold are written commented out.
 */
import type { z } from "zod";
import { IPv4, IPv4Cidr, Ident, IfName, Text } from "../../model/common.js";
import type { FlowAction, FlowPolicy } from "../../model/bridge.js";
import type { Profile } from "../../model/host.js";
import { parseFlow } from "./ovs-flow.js";
import { commented, disabled, isDisabled, type TsValue } from "./print-ts.js";
import { Tracker, type ImportReport, type StatePath } from "./report.js";
import { valid, WHY, type BridgeDraft, type MapContext } from "./map-context.js";
import { mapRoutes } from "./map-routes.js";
import { mapNetmaker, mapWireguard } from "./map-wireguard.js";
import * as S from "./state-shapes.js";

export interface ImportOptions {
  /** Host name of the imported host (op-dbus states do not name their host). */
  readonly host?: string;
  /** Shown in the header comment. */
  readonly sourceName?: string;
}

export interface Mapped {
  readonly topology: TsValue;
  readonly report: ImportReport;
}


const prefixOf = (cidr: string) => cidr.split("/")[1]!;

type Json = Record<string, unknown>;

export function mapState(raw: unknown, opts: ImportOptions = {}): Mapped {
  const t = new Tracker();
  const hostName = opts.host ?? "host1";
  const hp = `hosts.${hostName}`;
  const rootObj = (raw && typeof raw === "object" ? raw : {}) as Json;
  // Two generations of the format: plugins at the top, or under `plugins` with a version.
  const nested = rootObj.plugins && typeof rootObj.plugins === "object";
  const base: StatePath = nested ? ["plugins"] : [];
  const plugins = (nested ? rootObj.plugins : rootObj) as Json;
  if (nested && "version" in rootObj) t.skip(["version"], WHY.version);
  for (const k of ["systemd", "packagekit"]) if (k in plugins) t.skip([...base, k], WHY.system);

  const parse = <T>(schema: z.ZodType<T>, key: string): T | undefined => {
    if (!(key in plugins)) return undefined;
    const r = schema.safeParse(plugins[key]);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    t.skip([...base, key, ...(issue?.path.map((p) => (typeof p === "symbol" ? String(p) : p)) ?? [])], `unexpected shape: ${issue?.message ?? "?"}`);
    return undefined;
  };
  const lxc = parse(S.Lxc, "lxc");
  const openflow = parse(S.Openflow, "openflow");
  const netmaker = parse(S.Netmaker, "netmaker");
  const wireguard = parse(S.Wireguard, "wireguard");
  const networking = parse(S.Networking, "networking");
  const P = (...p: StatePath): StatePath => [...base, ...p];

  const host: Record<string, TsValue> = {};
  const description = `Imported from ${opts.sourceName ?? "an op-dbus state file"} by topo import`;
  if (valid(Text, description)) host.description = description;
  host.system = commented("assumed: the state does not say; check", "x86_64-linux");
  host.stateVersion = commented("assumed: the state does not say; the NixOS release the host was installed with", "25.05");
  t.assume(`${hp}.system`, "x86_64-linux", "the state does not name the platform");
  t.assume(`${hp}.stateVersion`, "25.05", "the state does not name the NixOS release");
  if (lxc?.container_profile !== undefined) {
    const profile = lxc.container_profile === "none" || lxc.container_profile === "privacy-client" || lxc.container_profile === "privacy-vps" || lxc.container_profile === "general" ? (lxc.container_profile as z.infer<typeof Profile>) : undefined;
    if (profile) {
      host.profile = profile;
      t.use(P("lxc", "container_profile"));
    } else t.skip(P("lxc", "container_profile"), "not one of topo's profiles (none, privacy-client, privacy-vps, general)");
  }
  const uplink: Record<string, TsValue> = { interface: "eth0", dhcp: true };
  host.uplink = commented("assumed: the state does not describe the uplink; set its interface and address", uplink);
  t.assume(`${hp}.uplink`, uplink, "the state does not describe the uplink");

  // --- bridges (openflow) -------------------------------------------------------------------
  const bridges = new Map<string, BridgeDraft>();
  const bridge = (name: string, path?: StatePath): BridgeDraft => {
    let b = bridges.get(name);
    if (!b) {
      b = { name, flows: [], policies: {}, ports: {}, socketPorts: new Map(), fromState: path !== undefined, ...(path ? { path } : {}) };
      bridges.set(name, b);
    }
    return b;
  };
  if (openflow) {
    for (const k of ["enable_security_flows", "obfuscation_level", "auto_discover_containers", "dynamic_routing"]) {
      if (k in openflow) t.skip(P("openflow", k), WHY.runtime);
    }
    const list: [string | undefined, S.OpenflowBridgeState, StatePath][] = Array.isArray(openflow.bridges)
      ? openflow.bridges.map((b, i) => [b.name, b, P("openflow", "bridges", i)])
      : Object.entries(openflow.bridges ?? {}).map(([n, b]) => [b.name ?? n, b, P("openflow", "bridges", n)]);
    if (openflow.bridges !== undefined && list.length === 0) t.use(P("openflow", "bridges"));
    for (const [name, b, path] of list) {
      if (!name || !valid(IfName, name)) {
        t.skip(path, "a bridge without a valid interface name");
        continue;
      }
      const draft = bridge(name, path);
      t.use([...path, "name"]);
      (b.flows ?? []).forEach((text, j) => {
        const r = parseFlow(text);
        if (r.ok) {
          draft.flows.push(commented(`op-dbus: ${text}${r.widened ? ` (${r.widened.join("; ")}; if one address was meant, write it without the prefix)` : ""}`, r.flow as TsValue));
          t.use([...path, "flows", j]);
          for (const w of r.widened ?? []) t.assume(`${hp}.bridges.${name}.flows[${j}].match`, r.flow.match, w);
        } else {
          draft.flows.push(disabled(`not imported (${r.why}): ${text}`, text));
          t.skip([...path, "flows", j], `flow not imported: ${r.why}`);
        }
      });
      if (b.flows && b.flows.length === 0) t.use([...path, "flows"]);
      (b.socket_ports ?? []).forEach((sp, j) => {
        draft.socketPorts.set(sp.container_id !== undefined ? String(sp.container_id) : `#${j}`, { name: sp.name, path: [...path, "socket_ports", j] });
      });
      if (b.socket_ports && b.socket_ports.length === 0) t.use([...path, "socket_ports"]);
    }
  }

  // --- containers (lxc) ------------------------------------------------------------------------
  const containers: Record<string, TsValue> = {};
  const gateways = new Map<string, { gateway: string; prefix: string }>();
  if (lxc?.containers?.length === 0) t.use(P("lxc", "containers"));
  (lxc?.containers ?? []).forEach((c, i) => {
    const cp = P("lxc", "containers", i);
    const id = Number(c.id);
    const props = c.properties ?? {};
    const net = c.network ?? {};
    if (props.network_type === "netmaker") {
      t.skip(cp, WHY.netmakerContainer);
      return;
    }
    const name = c.name ?? props.name;
    const address = net.ipv4 ?? props.ipv4_address;
    const bridgeName = net.bridge ?? c.bridge;
    if (address === undefined || !valid(IPv4Cidr, address)) {
      t.skip(cp, address === undefined ? "the container has no IPv4 address in the state (topo needs one to route and filter)" : `address ${JSON.stringify(address)} is not a.b.c.d/n`);
      return;
    }
    if (!bridgeName || !valid(IfName, bridgeName)) {
      t.skip(cp, "the container names no bridge");
      return;
    }
    let cname = name;
    if (!cname || !valid(Ident, cname)) {
      cname = `ct${id}`;
      t.assume(`${hp}.containers.${cname}`, cname, name ? `${JSON.stringify(name)} is not a valid topo name` : "the container has no name");
    }
    const out: Record<string, TsValue> = { id, bridge: bridgeName };
    t.use([...cp, "id"]);
    if (c.name !== undefined) t.use([...cp, "name"]);
    else if (props.name !== undefined) t.use([...cp, "properties", "name"]);
    if (net.bridge !== undefined) t.use([...cp, "network", "bridge"]);
    else t.use([...cp, "bridge"]);
    if (net.ipv4 !== undefined) t.use([...cp, "network", "ipv4"]);
    else t.use([...cp, "properties", "ipv4_address"]);

    // Its port on the bridge: the bridge's socket port for it, the named veth, or the default veth<id>.
    const draft = bridge(bridgeName);
    const socket = draft.socketPorts.get(String(id));
    if (socket) {
      out.port = socket.name;
      out.portType = "internal";
      t.use(socket.path);
      draft.socketPorts.delete(String(id));
      if (net.port_name === socket.name) t.use([...cp, "network", "port_name"]);
      else if (net.port_name !== undefined) {
        t.skip([...cp, "network", "port_name"], net.wg_tunnel ? WHY.wgInContainer : `the bridge's socket_ports name the container's port ${socket.name}`);
      }
      for (const k of ["veth", "socket_networking"] as const) if (net[k] !== undefined) t.use([...cp, "network", k]);
    } else if (typeof c.veth === "string") {
      out.port = c.veth;
      t.use([...cp, "veth"]);
    } else if (net.port_name !== undefined && !net.wg_tunnel) {
      out.port = net.port_name;
      if (net.socket_networking) out.portType = "internal";
      for (const k of ["port_name", "veth", "socket_networking"] as const) if (net[k] !== undefined) t.use([...cp, "network", k]);
    } else if (net.veth === true || c.veth === true) {
      t.use([...cp, net.veth === true ? "network" : "veth", ...(net.veth === true ? ["veth"] : [])]);
    }
    if (net.wg_tunnel) t.skip([...cp, "network", "wg_tunnel"], WHY.wgInContainer);
    if (net.wg_tunnel && !socket && net.port_name !== undefined) t.skip([...cp, "network", "port_name"], WHY.wgInContainer);
    if (out.port !== undefined && !valid(IfName, out.port)) delete out.port;

    out.address = address;
    if (props.gateway !== undefined && valid(IPv4, props.gateway)) {
      out.gateway = props.gateway;
      t.use([...cp, "properties", "gateway"]);
      if (!gateways.has(bridgeName)) gateways.set(bridgeName, { gateway: props.gateway, prefix: prefixOf(address) });
    }
    if (net.public_ip !== undefined) {
      if (valid(IPv4, net.public_ip)) {
        uplink.publicAddress = net.public_ip;
        t.use([...cp, "network", "public_ip"]);
      } else t.skip([...cp, "network", "public_ip"], "not an IPv4 address (a placeholder?): set hosts.<host>.uplink.publicAddress");
    }

    // Services: typed in the socket-network form; names plus their config in the profile form.
    const services: Record<string, TsValue> = {};
    (props.services ?? []).forEach((s, j) => {
      const proto = s.protocol.toLowerCase();
      if ((proto === "tcp" || proto === "udp") && valid(Ident, s.name) && s.port >= 1 && s.port <= 65535) {
        services[s.name] = { proto, port: s.port };
        t.use([...cp, "properties", "services", j]);
      } else t.skip([...cp, "properties", "services", j], "not a tcp/udp service with a valid name and port");
    });
    const config = (c.config ?? {}) as Json;
    (c.services ?? []).forEach((s, j) => {
      const found = serviceFromConfig(s, config);
      if (found && valid(Ident, s)) {
        services[s] = { proto: found.proto, port: found.port };
        t.use([...cp, "services", j]);
        t.use([...cp, "config", ...found.path]);
      } else t.skip([...cp, "services", j], "a service name without a protocol and port the state gives");
    });
    if (Object.keys(services).length) out.services = services;
    for (const k of ["template", "autostart", "running"]) if (k in c) t.skip([...cp, k], WHY.lifecycle);
    if ("template" in props) t.skip([...cp, "properties", "template"], WHY.lifecycle);
    if (props.network_type === "bridge") t.use([...cp, "properties", "network_type"]);
    if (c.config) t.skip([...cp, "config"], WHY.serviceConfig);
    containers[cname] = out;
  });

  const ctx: MapContext = { t, hostName, hp, P, bridge };
  const { tunnels, vpnServers } = mapWireguard(ctx, wireguard);
  const meshes = mapNetmaker(ctx, netmaker);

  const routes = mapRoutes(ctx, networking, host, new Set<string>(["eth0", ...bridges.keys(), ...Object.keys(vpnServers)]));

  // --- assemble the bridges --------------------------------------------------------------------
  const bridgeValues: Record<string, TsValue> = {};
  const onlyBridge = bridges.size === 1 ? [...bridges.values()][0] : undefined;
  (openflow?.flow_policies ?? []).forEach((p, i) => {
    const pp = P("openflow", "flow_policies", i);
    const actions = p.template.actions.map(policyAction);
    if (!onlyBridge || !valid(Ident, p.name) || actions.some((a) => a === undefined)) {
      t.skip(pp, !onlyBridge ? "op-dbus flow policies are global; topo keeps them per bridge and the state has no single bridge" : "a policy topo cannot express (name or action)");
      return;
    }
    const policy: z.input<typeof FlowPolicy> = {
      selector: p.selector,
      ...(p.template.table !== undefined ? { table: p.template.table } : {}),
      ...(p.template.priority !== undefined ? { priority: p.template.priority } : {}),
      actions: actions as z.input<typeof FlowAction>[],
    };
    onlyBridge.policies[p.name] = policy as TsValue;
    t.use(pp);
  });
  for (const b of [...bridges.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
    for (const sp of b.socketPorts.values()) {
      b.ports[sp.name] = { type: "internal" };
      t.use(sp.path);
    }
    const gw = gateways.get(b.name);
    const value: Record<string, TsValue> = { kind: "ovs" };
    if (!b.fromState) value.kind = commented("assumed: named by a container's network; op-dbus bridges are Open vSwitch", "ovs");
    if (!b.fromState) t.assume(`${hp}.bridges.${b.name}`, "ovs", "the bridge is only named by a container");
    if (gw) {
      value.address = commented("assumed: the containers' gateway, with their prefix length", `${gw.gateway}/${gw.prefix}`);
      t.assume(`${hp}.bridges.${b.name}.address`, `${gw.gateway}/${gw.prefix}`, "the containers' gateway is the bridge's own address");
    }
    if (Object.keys(b.ports).length) value.ports = b.ports;
    if (b.flows.length) value.flows = b.flows;
    if (Object.keys(b.policies).length) value.flowPolicies = b.policies;
    bridgeValues[b.name] = value;
  }

  if (routes.length) host.routes = routes.every(isDisabled) ? disabled("not imported: no route leaves by an interface declared here", routes.map((r) => (isDisabled(r) ? r.value : r))) : routes;
  if (Object.keys(bridgeValues).length) host.bridges = bridgeValues;
  if (Object.keys(containers).length) host.containers = containers;
  if (tunnels !== undefined) host.tunnels = tunnels;
  if (Object.keys(vpnServers).length) host.vpnServers = vpnServers;

  const topology: Record<string, TsValue> = { hosts: { [hostName]: host } };
  if (meshes !== undefined) topology.meshes = meshes;
  return { topology, report: t.report(raw) };
}

function policyAction(a: { type: string; port?: string | undefined }): z.input<typeof FlowAction> | undefined {
  const type = a.type.toLowerCase();
  if (type === "output" && a.port !== undefined) return { output: a.port };
  if (type === "normal" || type === "drop" || type === "local" || type === "flood" || type === "in_port") return type;
  return undefined;
}

/** The port a named service listens on, read from the container's config where the seeds put it. */
function serviceFromConfig(name: string, config: Json): { proto: "tcp" | "udp"; port: number; path: StatePath } | undefined {
  const port = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535 ? v : undefined);
  if (name === "wireguard") {
    for (const [iface, c] of Object.entries(config)) {
      const p = port((c as Json | undefined)?.listen_port);
      if (p !== undefined) return { proto: "udp", port: p, path: [iface, "listen_port"] };
    }
  }
  if (name === "xray") {
    const p = port(((config.xray as Json | undefined)?.inbound as Json | undefined)?.port);
    if (p !== undefined) return { proto: "tcp", port: p, path: ["xray", "inbound", "port"] };
  }
  return undefined;
}
