/**
 * WireGuard in the lab. The kernel here has no WireGuard module, so wireguard-go stands in for it:
 * each generated `Kind=wireguard` netdev is rendered as NixOS renders it and its [WireGuard] (and
 * any [WireGuardPeer]) sections, with the interface's peers from `topo.wireguard.peers`
 * (wireguard.nix), are applied with `wg` to a wireguard-go device of that name, before
 * networkd starts; networkd then applies the generated .network (addresses, routes, policy rules)
 * to the device as it would on NixOS. Each wireguard-go runs in a private mount namespace with a
 * tmpfs on /run: its control socket (/run/wireguard) cannot collide with other labs, and the key
 * sits at the generated PrivateKeyFile path.
 *
 * Keys: the lab never sees a real private key. Every interface gets a lab key pair, and every
 * public key in the generated peers is replaced by the lab key of its owner (the lock says which
 * host and interface own which public key); far ends outside the fleet (WARP) get one too.
 *
 * Around the hosts (environment, from the topology): containers behind the bridges no other
 * component serves (the Open vSwitch component serves `networking.vswitches`): on a bridge the
 * generated units create, a namespace whose veth joins it once networkd made it; on a bridge no
 * generated file creates, a Linux bridge emulated with the topology's address. Each tunnel's far
 * end is a stand-in namespace at the tunnel's endpoint running wireguard-go, which forwards
 * (without NAT) to a "beyond" namespace, `external.<host>.<tunnel>`: only what goes through the
 * tunnel can reach it, and it counts the sources it sees.
 *
 * Judge: what intent cells cannot say: the source the far side sees (the tunnel's address), a
 * service's exit across the mesh from its overlay source, and that in a hub mesh the first hop
 * between two spokes is the hub.
 */
import type { HostIR, TunnelIR } from "../../ir/types.js";
import { generateKeyPair, type KeyPair } from "../../net/x25519.js";
import { addressOf, contains, networkOf, parseCidr } from "../../net/ipv4.js";
import { beyondTunnelId } from "../../policy/contributors/wireguard.js";
import type { LabComponent, LabContext } from "../context.js";
import { at, isObject, type JsonObject } from "../generated/tree.js";
import { netdevToUnit, UnitRenderError } from "../generated/networkd-units.js";
import { LabError, run as runCmd, sleep } from "../runtime/exec.js";
import type { Daemon, LabRun } from "../runtime/run.js";
import { SERVED_PORTS, servedKey } from "../probe/probes.js";
import { PROVIDED_NETDEVS } from "./networkd.js";
import { UPLINKS, type UplinkSide } from "./upstream.js";

const STATE = "wireguard.lab";
const READY = "topo-wg-ready";

export interface WgDevice {
  readonly host: string;
  readonly ns: string;
  readonly name: string;
  readonly daemon: Daemon;
}

interface StandIn {
  readonly host: string;
  readonly tunnel: TunnelIR;
  readonly ns: string;
  readonly beyondNs: string;
  readonly beyondAddress: string;
  readonly endpoint: string;
  readonly key: KeyPair;
  device?: WgDevice;
}

interface LabState {
  /** Lab key pair of each (host, interface) of the fleet. */
  readonly own: Map<string, KeyPair>;
  /** Lab key that stands in for each public key of the generated files. */
  readonly byPublic: Map<string, KeyPair>;
  readonly devices: WgDevice[];
  readonly standIns: StandIn[];
  /** Container ports waiting for their (networkd-made) bridge. */
  readonly late: { ns: string; port: string; bridge: string }[];
}

const ownKey = (host: string, iface: string) => `${host}/${iface}`;

export const wireguardComponent: LabComponent = {
  name: "wireguard",
  requires: (ir) =>
    ir.hosts.some((h) => h.wireguard.length)
      ? [
          { program: "wireguard-go", debian: "wireguard-go", for: "WireGuard devices (the kernel here has no WireGuard module)" },
          { program: "wg", debian: "wireguard-tools", for: "configuring the WireGuard devices" },
        ]
      : [],

  wire(ctx: LabContext) {
    if (!ctx.hosts.some((h) => h.wireguard.length)) return;
    const state: LabState = { own: new Map(), byPublic: new Map(), devices: [], standIns: [], late: [] };
    ctx.shared.set(STATE, state);
    // Lab keys for every interface of the fleet, and for every foreign key the generated peers name.
    for (const h of ctx.ir.hosts) {
      for (const wg of h.wireguard) {
        const k = generateKeyPair();
        state.own.set(ownKey(h.name, wg.name), k);
        if (wg.publicKey) state.byPublic.set(wg.publicKey, k);
      }
    }
    for (const h of ctx.hosts) {
      wireContainers(ctx, state, h);
      for (const t of h.tunnels) if (t.allowedIPs.includes("0.0.0.0/0")) state.standIns.push(wireStandIn(ctx, state, h, t));
    }
  },

  async start(ctx: LabContext) {
    const state = ctx.shared.get(STATE) as LabState | undefined;
    if (!state) return;
    const provided = new Map<string, Set<string>>();
    ctx.shared.set(PROVIDED_NETDEVS, provided);
    const served = (ctx.shared.get(SERVED_PORTS) as Map<string, string> | undefined) ?? new Map<string, string>();
    ctx.shared.set(SERVED_PORTS, served);
    const waits: Promise<void>[] = [];
    for (const h of ctx.hosts) {
      const netdevs = at(ctx.generated.get(h.name)!.config, "systemd.network.netdevs");
      if (!isObject(netdevs)) continue;
      for (const attr of Object.keys(netdevs).sort()) {
        const def = netdevs[attr];
        if (!isObject(def) || def.enable === false || !isObject(def.netdevConfig) || def.netdevConfig.Kind !== "wireguard") continue;
        const name = String(def.netdevConfig.Name);
        const file = `${attr}.netdev`;
        const conf = wgConfigOf(ctx, state, h.name, name, def, file);
        if (!conf) continue;
        const dev = startDevice(ctx.run, ctx.hostNs(h.name), h.name, name, conf);
        state.devices.push(dev);
        (provided.get(h.name) ?? provided.set(h.name, new Set()).get(h.name)!).add(name);
        waits.push(waitReady(dev));
        if (conf.listenPort !== undefined) served.set(servedKey(dev.ns, "udp", conf.listenPort), `wireguard-go (${name})`);
        ctx.note(`wireguard@${h.name}: ${name} from ${file} (wireguard-go pid ${dev.daemon.pid}, log ${dev.daemon.logFile})`);
      }
    }
    for (const s of state.standIns) {
      const conf: WgConf = {
        privateKeyFile: "/run/topo-lab-wg/far-end.key",
        key: s.key,
        listenPort: Number(s.endpoint.split(":").pop()),
        peers: [{ publicKey: state.own.get(ownKey(s.host, s.tunnel.name))!.publicKey, allowedIPs: [s.tunnel.address.includes("/") ? s.tunnel.address : `${s.tunnel.address}/32`] }],
      };
      s.device = startDevice(ctx.run, s.ns, `far-${s.host}`, "warp", conf);
      waits.push(waitReady(s.device));
    }
    await Promise.all(waits);
    for (const s of state.standIns) {
      ctx.run.ip(s.ns, ["link", "set", "warp", "up"]);
      for (const net of [s.tunnel.address]) ctx.run.ip(s.ns, ["route", "add", networkOf(net.includes("/") ? net : `${net}/32`), "dev", "warp"]);
    }
  },

  async settle(ctx: LabContext) {
    const state = ctx.shared.get(STATE) as LabState | undefined;
    if (!state) return;
    await attachLate(ctx, state);
    // Members that keep a path open (behind NAT) have dialled once networkd brought their device
    // up: wait for those handshakes, so that the first probe towards them finds their endpoint.
    const t0 = Date.now();
    for (const d of state.devices) {
      for (;;) {
        const hs = wgShow(d, "latest-handshakes");
        const keepalives = wgShow(d, "persistent-keepalive");
        const needs = keepalives.split("\n").filter((l) => /\t\d+$/.test(l)).map((l) => l.split("\t")[0]);
        const done = needs.every((k) => hs.split("\n").some((l) => l.startsWith(`${k}\t`) && !l.endsWith("\t0")));
        if (done || Date.now() - t0 > 10_000) break;
        await sleep(100);
      }
    }
  },

  async judge(ctx: LabContext) {
    const state = ctx.shared.get(STATE) as LabState | undefined;
    if (!state) return;
    for (const d of state.devices) {
      if (!d.daemon.running()) ctx.finding({ component: "wireguard", host: d.host, severity: "error", message: `wireguard-go for ${d.name} exited: ${d.daemon.log().trim().split("\n").slice(-3).join(" | ")}` });
    }
    await judgeTunnels(ctx, state);
    judgeHubs(ctx);
  },
};

// --- Configuration from the generated netdev --------------------------------------------------

export interface WgPeerConf {
  readonly publicKey: string;
  readonly allowedIPs: readonly string[];
  readonly endpoint?: string;
  readonly keepalive?: number;
}

export interface WgConf {
  readonly privateKeyFile: string;
  readonly key: KeyPair;
  readonly listenPort?: number;
  readonly fwmark?: number;
  readonly peers: readonly WgPeerConf[];
}

const WIREGUARD_KEYS = new Set(["PrivateKeyFile", "ListenPort", "FirewallMark"]);
const PEER_KEYS = new Set(["PublicKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"]);

/** The rendered netdev, read back section by section as networkd would, mapped onto `wg` settings. */
function wgConfigOf(ctx: LabContext, state: LabState, host: string, name: string, def: JsonObject, file: string): WgConf | undefined {
  const where = { component: "wireguard", host, file } as const;
  let text: string;
  try {
    text = netdevToUnit(def, file);
  } catch (e) {
    if (!(e instanceof UnitRenderError)) throw e;
    ctx.finding({ ...where, severity: "error", message: e.message });
    return undefined;
  }
  const sections = parseUnit(text);
  const wg = sections.filter((s) => s.name === "WireGuard");
  const one = (entries: [string, string][], k: string) => entries.filter(([x]) => x === k).map(([, v]) => v).pop();
  const entries = wg.flatMap((s) => s.entries);
  for (const [k] of entries) if (!WIREGUARD_KEYS.has(k)) ctx.finding({ ...where, severity: "error", message: `[WireGuard] ${k}= is not something topo emits or the lab applies` });
  // With `secrets: "sops-nix" | "agenix"`, PrivateKeyFile is set by secrets.nix to the secret's
  // `.path`: a module function the lab does not evaluate. The path is then the secret's default one.
  const secret = ctx.ir.hosts.find((h) => h.name === host)?.wireguard.find((w) => w.name === name && w.secret);
  const privateKeyFile = one(entries, "PrivateKeyFile") ?? secret?.privateKeyFile;
  if (secret && !one(entries, "PrivateKeyFile")) ctx.note(`wireguard@${host}: ${name}'s key is the ${secret.secret!.backend} secret ${secret.secret!.name} (secrets.nix sets PrivateKeyFile to its path, ${secret.privateKeyFile})`);
  if (!privateKeyFile) {
    ctx.finding({ ...where, severity: "error", message: `${name} has no [WireGuard] PrivateKeyFile=` });
    return undefined;
  }
  if (!privateKeyFile.startsWith("/run/")) ctx.note(`wireguard@${host}: ${name}'s key ${privateKeyFile} is outside /run; the lab puts its lab key there in the device's private /run instead`);
  const peers: WgPeerConf[] = [];
  for (const s of sections.filter((x) => x.name === "WireGuardPeer")) {
    for (const [k] of s.entries) if (!PEER_KEYS.has(k)) ctx.finding({ ...where, severity: "error", message: `[WireGuardPeer] ${k}= is not something topo emits or the lab applies` });
    const pub = one(s.entries, "PublicKey");
    if (!pub) {
      ctx.finding({ ...where, severity: "error", message: "a [WireGuardPeer] without PublicKey=" });
      continue;
    }
    const lab = labKeyFor(state, pub);
    const ka = one(s.entries, "PersistentKeepalive");
    const ep = one(s.entries, "Endpoint");
    peers.push({
      publicKey: lab.publicKey,
      allowedIPs: s.entries.filter(([k]) => k === "AllowedIPs").flatMap(([, v]) => v.split(/[\s,]+/).filter(Boolean)),
      ...(ep ? { endpoint: ep } : {}),
      ...(ka ? { keepalive: Number(ka) } : {}),
    });
  }
  // The peers topo applies apart from the netdev (topo.wireguard.peers, wireguard-peers.nix).
  const data = at(ctx.generated.get(host)!.config, "topo.wireguard.peers");
  const listed = isObject(data) ? data[name] : undefined;
  for (const p of Array.isArray(listed) ? listed : []) {
    if (!isObject(p) || typeof p.PublicKey !== "string") {
      ctx.finding({ component: "wireguard", host, file: "wireguard.nix", severity: "error", message: `topo.wireguard.peers.${name}: a peer without PublicKey` });
      continue;
    }
    for (const k of Object.keys(p)) if (!PEER_KEYS.has(k)) ctx.finding({ component: "wireguard", host, file: "wireguard.nix", severity: "error", message: `topo.wireguard.peers.${name}: ${k} is not something topo emits or the lab applies` });
    peers.push({
      publicKey: labKeyFor(state, p.PublicKey).publicKey,
      allowedIPs: Array.isArray(p.AllowedIPs) ? p.AllowedIPs.map(String) : [],
      ...(typeof p.Endpoint === "string" ? { endpoint: p.Endpoint } : {}),
      ...(typeof p.PersistentKeepalive === "number" && p.PersistentKeepalive > 0 ? { keepalive: p.PersistentKeepalive } : {}),
    });
  }
  const port = one(entries, "ListenPort");
  const mark = one(entries, "FirewallMark");
  return {
    privateKeyFile: privateKeyFile.startsWith("/run/") ? privateKeyFile : `/run/topo-lab-wg/${name}.key`,
    key: state.own.get(ownKey(host, name)) ?? generateKeyPair(),
    ...(port ? { listenPort: Number(port) } : {}),
    ...(mark ? { fwmark: Number(mark) } : {}),
    peers,
  };
}

/** The lab key pair that stands in for a public key of the generated files. */
function labKeyFor(state: LabState, publicKey: string): KeyPair {
  let lab = state.byPublic.get(publicKey);
  if (!lab) state.byPublic.set(publicKey, (lab = generateKeyPair()));
  return lab;
}

/**
 * For tests that change a running lab: the WireGuard devices (their wireguard-go pid: `nsenter -t
 * pid -m -n` reaches the control socket) and the lab public key standing in for a generated one.
 */
export function labWireguard(ctx: LabContext): { devices: { host: string; name: string; pid: number }[]; labPublicKey(publicKey: string): string } | undefined {
  const state = ctx.shared.get(STATE) as LabState | undefined;
  if (!state) return undefined;
  return {
    devices: state.devices.map((d) => ({ host: d.host, name: d.name, pid: d.daemon.pid })),
    labPublicKey: (k) => labKeyFor(state, k).publicKey,
  };
}

/**
 * For components that stand up the other end of a fleet's WireGuard interface (VPN clients): the
 * lab key pair of a host's interface, and the lab key pair standing in for a generated public key
 * (the one the generated peers get, so the other end holds its private half).
 */
export function labKeys(ctx: LabContext): { own(host: string, iface: string): KeyPair | undefined; forPublic(publicKey: string): KeyPair } | undefined {
  const state = ctx.shared.get(STATE) as LabState | undefined;
  if (!state) return undefined;
  return { own: (host, iface) => state.own.get(ownKey(host, iface)), forPublic: (k) => labKeyFor(state, k) };
}

export function parseUnit(text: string): { name: string; entries: [string, string][] }[] {
  const out: { name: string; entries: [string, string][] }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) out.push({ name: sec[1]!, entries: [] });
    else if (out.length) {
      const i = line.indexOf("=");
      if (i > 0) out[out.length - 1]!.entries.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
    }
  }
  return out;
}

function peersFile(conf: WgConf): string {
  return conf.peers
    .map((p) =>
      [
        "[Peer]",
        `PublicKey = ${p.publicKey}`,
        ...(p.allowedIPs.length ? [`AllowedIPs = ${p.allowedIPs.join(", ")}`] : []),
        ...(p.endpoint ? [`Endpoint = ${p.endpoint}`] : []),
        ...(p.keepalive ? [`PersistentKeepalive = ${p.keepalive}`] : []),
        "",
      ].join("\n"),
    )
    .join("\n");
}

// The device's private /run: the lab key at the generated path, wireguard-go's control socket.
const MOUNT_SETUP = [
  'key=$(cat "$1"); peers=$(cat "$2")',
  "mount -t tmpfs -o mode=0755 tmpfs /run",
  "mkdir -p /run/wireguard /run/topo-lab-wg",
  "printf '%s\\n' \"$peers\" > /run/topo-lab-wg/peers.conf",
  'mkdir -p "$(dirname "$3")"',
  '(umask 077; printf \'%s\\n\' "$key" > "$3")',
];

// $1 interface, $2 key file, $3 listen port or "", $4 fwmark or "".
const DEVICE_SCRIPT = [
  'WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go -f "$1" &',
  "wgpid=$!",
  "i=0",
  'while [ ! -S "/run/wireguard/$1.sock" ]; do i=$((i+1)); if [ $i -gt 200 ]; then echo "topo-wg-failed: no control socket"; exit 1; fi; sleep 0.05; done',
  'wg set "$1" private-key "$2"',
  'if [ -n "$3" ]; then wg set "$1" listen-port "$3"; fi',
  'if [ -n "$4" ]; then wg set "$1" fwmark "$4"; fi',
  'wg addconf "$1" /run/topo-lab-wg/peers.conf',
  `echo ${READY}`,
  'wait "$wgpid"',
].join("\n");

export function startDevice(run: LabRun, ns: string, host: string, name: string, conf: WgConf): WgDevice {
  const base = `wireguard/${host}-${name}`;
  const keyFile = run.file(`${base}.key`, conf.key.privateKey + "\n");
  const peers = run.file(`${base}.peers`, peersFile(conf));
  const daemon = run.daemon({
    ns,
    what: `wireguard-go@${host}-${name}`,
    argv: ["sh", "-ec", DEVICE_SCRIPT, "sh", name, conf.privateKeyFile, conf.listenPort !== undefined ? String(conf.listenPort) : "", conf.fwmark !== undefined ? String(conf.fwmark) : ""],
    mountSetup: MOUNT_SETUP,
    mountArgs: [keyFile, peers, conf.privateKeyFile],
  });
  return { host, ns, name, daemon };
}

export async function waitReady(d: WgDevice): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 10_000) {
    const log = d.daemon.log();
    if (log.includes(READY)) return;
    if (log.includes("topo-wg-failed") || !d.daemon.running()) break;
    await sleep(50);
  }
  throw new LabError(`wireguard-go for ${d.name} on ${d.host} did not come up`, d.daemon.log().trim());
}

/** `wg set <if> ...` inside the device's own mount namespace; a failure is the lab's error. */
export function wgSet(d: WgDevice, args: readonly string[]): void {
  const r = runCmd(["nsenter", "-t", String(d.daemon.pid), "-m", "-n", "wg", "set", d.name, ...args]);
  if (r.status !== 0) throw new LabError(`wg set ${d.name} ${args.join(" ")} on ${d.host} failed`, r.stderr.trim());
}

/** `wg show <if> <what>` inside the device's own mount namespace (where its control socket is). */
export function wgShow(d: WgDevice, what: string): string {
  const r = runCmd(["nsenter", "-t", String(d.daemon.pid), "-m", "-n", "wg", "show", d.name, what]);
  return r.status === 0 ? r.stdout.trim() : "";
}

// --- The environment: emulated bridges with their containers, tunnel far ends -----------------

/**
 * Containers behind a host's bridges, where no other component stands them up:
 * - a bridge the generated networkd units create (Linux): each container a namespace whose veth
 *   joins the bridge once networkd has made it (see `attachLate`), as LXC attaches it;
 * - a bridge no generated file creates: emulated as a Linux bridge with the topology's address;
 * - an Open vSwitch bridge (`networking.vswitches`): the Open vSwitch component's.
 */
function wireContainers(ctx: LabContext, state: LabState, h: HostIR): void {
  const config = ctx.generated.get(h.name)!.config;
  const netdevs = at(config, "systemd.network.netdevs");
  const created = new Set(
    Object.values(isObject(netdevs) ? netdevs : {}).flatMap((d) => (isObject(d) && isObject(d.netdevConfig) ? [String(d.netdevConfig.Name)] : [])),
  );
  const vswitches = at(config, "networking.vswitches");
  const ns = ctx.hostNs(h.name);
  for (const br of h.bridges) {
    const containers = h.containers.filter((c) => c.bridge === br.name && !ctx.endpoints.has(`${h.name}.${c.name}`));
    if (!containers.length || (isObject(vswitches) && br.name in vswitches)) continue;
    const byNetworkd = created.has(br.name);
    if (!byNetworkd) {
      ctx.run.ip(ns, ["link", "add", br.name, "type", "bridge"]);
      if (br.address) ctx.run.ip(ns, ["addr", "add", br.address, "dev", br.name]);
      ctx.run.ip(ns, ["link", "set", br.name, "up"]);
      ctx.note(`${h.name}: bridge ${br.name} is in no generated file; the lab emulates it as a Linux bridge with ${br.address ?? "no address"}`);
    }
    for (const c of containers) {
      const cns = ctx.run.ns(`c-${h.name}-${c.id}`);
      ctx.run.veth({ ns, name: c.port }, { ns: cns, name: "eth0" });
      if (byNetworkd) state.late.push({ ns, port: c.port, bridge: br.name });
      else ctx.run.ip(ns, ["link", "set", c.port, "master", br.name]);
      ctx.run.ip(cns, ["addr", "add", c.address, "dev", "eth0"]);
      if (c.gateway) ctx.run.ip(cns, ["route", "add", "default", "via", c.gateway]);
      ctx.endpoint({ id: `${h.name}.${c.name}`, ns: cns, address: () => addressOf(c.address) });
    }
  }
}

/** Container ports on bridges networkd creates: attached as soon as the bridge exists. */
async function attachLate(ctx: LabContext, state: LabState): Promise<void> {
  for (const p of state.late) {
    const t0 = Date.now();
    while (ctx.run.tryExec(p.ns, ["ip", "link", "show", "dev", p.bridge]).status !== 0) {
      if (Date.now() - t0 > 10_000) throw new LabError(`bridge ${p.bridge} did not appear in ${p.ns}: networkd did not create it`);
      await sleep(50);
    }
    ctx.run.ip(p.ns, ["link", "set", p.port, "master", p.bridge]);
  }
}

/** The far end of a tunnel: a namespace at its endpoint, and beyond it the world it leads to. */
function wireStandIn(ctx: LabContext, state: LabState, h: HostIR, t: TunnelIR): StandIn {
  const { run } = ctx;
  const endpointIp = t.endpoint.split(":")[0]!;
  const ns = run.ns(`far-${h.name}-${t.name}`);
  const beyondNs = run.ns(`beyond-${h.name}-${t.name}`);
  // On the internet: on the uplink segment that holds the endpoint's address, or on a segment of
  // its own behind the upstream router.
  const side = [...((ctx.shared.get(UPLINKS) as Map<string, UplinkSide> | undefined)?.values() ?? [])].find((u) => contains(u.subnet, endpointIp) && u.gateway);
  if (side) {
    ctx.plug(side.segment, { ns, name: "eth0" });
    run.ip(ns, ["addr", "add", `${endpointIp}/${parseCidr(side.subnet).prefix}`, "dev", "eth0"]);
    run.ip(ns, ["route", "add", "default", "via", side.gateway!]);
  } else {
    const link = ctx.addresses.block(`far-link:${h.name}.${t.name}`);
    const seg = ctx.segment(`far:${h.name}.${t.name}`);
    const wan = run.nsName("wan");
    ctx.plug(seg, { ns: wan, name: `f${state.standIns.length}` });
    run.ip(wan, ["addr", "add", link.hostCidr(1), "dev", `f${state.standIns.length}`]);
    ctx.plug(seg, { ns, name: "eth0" });
    run.ip(ns, ["addr", "add", link.hostCidr(2), "dev", "eth0"]);
    run.ip(ns, ["addr", "add", `${endpointIp}/32`, "dev", "eth0"]);
    run.ip(ns, ["route", "add", "default", "via", link.host(1)]);
    run.ip(wan, ["route", "add", `${endpointIp}/32`, "via", link.host(2)]);
  }
  // Beyond: reachable only through the stand-in, which forwards without NAT.
  const beyond = ctx.addresses.block(`beyond:${h.name}.${t.name}`);
  run.veth({ ns, name: "beyond0" }, { ns: beyondNs, name: "eth0" });
  run.ip(ns, ["addr", "add", beyond.hostCidr(1), "dev", "beyond0"]);
  run.ip(beyondNs, ["addr", "add", beyond.hostCidr(2), "dev", "eth0"]);
  run.ip(beyondNs, ["route", "add", "default", "via", beyond.host(1)]);
  run.exec(ns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
  ctx.endpoint({ id: beyondTunnelId(h.name, t.name), ns: beyondNs, address: () => beyond.host(2) });
  // The stand-in's key is the lab key that replaces the tunnel's peer key in the generated netdev.
  let key = state.byPublic.get(t.peerPublicKey);
  if (!key) state.byPublic.set(t.peerPublicKey, (key = generateKeyPair()));
  ctx.note(`${beyondTunnelId(h.name, t.name)}: ${beyondNs} at ${beyond.host(2)}, behind the stand-in far end of ${t.name} (${ns} at ${t.endpoint})`);
  return { host: h.name, tunnel: t, ns, beyondNs, beyondAddress: beyond.host(2), endpoint: t.endpoint, key };
}

// --- Judgements intent cells cannot express -----------------------------------------------------

/**
 * What the beyond side sees as the source of pings from `ns` (bound to `source` when given): two
 * counters in the beyond namespace, echo requests from the tunnel's address and from any other.
 * ICMP, so the answer does not depend on the TCP checksum offloads of the links on the way.
 */
const SEEN_TABLE = "topo-lab-seen";

function seenCounters(ctx: LabContext, s: StandIn): { tunnel: number; other: number } {
  const r = ctx.run.tryExec(s.beyondNs, ["nft", "-j", "list", "chain", "ip", SEEN_TABLE, "input"]);
  const counts: number[] = [];
  for (const item of (JSON.parse(r.stdout || '{"nftables":[]}') as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }).nftables) {
    for (const e of item.rule?.expr ?? []) if (e.counter) counts.push(e.counter.packets);
  }
  return { tunnel: counts[0] ?? 0, other: counts[1] ?? 0 };
}

function observeFrom(ctx: LabContext, s: StandIn, fromNs: string, source?: string): "tunnel" | "other" | "none" {
  const before = seenCounters(ctx, s);
  const r = ctx.run.tryExec(fromNs, ["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", ...(source ? ["-I", source] : []), s.beyondAddress], { timeoutMs: 6000 });
  const after = seenCounters(ctx, s);
  if (r.status === 0 && after.tunnel > before.tunnel && after.other === before.other) return "tunnel";
  return after.other > before.other ? "other" : "none";
}

async function judgeTunnels(ctx: LabContext, state: LabState): Promise<void> {
  for (const s of state.standIns) {
    const file = `hosts/${s.host}/network.nix`;
    const tunnelAddress = addressOf(s.tunnel.address);
    ctx.run.exec(s.beyondNs, ["nft", "-f", "-"], {
      input: `table ip ${SEEN_TABLE} {\n  chain input {\n    type filter hook input priority filter; policy accept;\n    icmp type echo-request ip saddr ${tunnelAddress} counter\n    icmp type echo-request ip saddr != ${tunnelAddress} counter\n  }\n}\n`,
    });
    for (const u of s.tunnel.users) {
      let fromNs: string | undefined;
      let source: string | undefined;
      if (u.kind === "container") fromNs = ctx.endpoints.get(`${s.host}.${u.ref}`)?.ns;
      else {
        const [userHost] = u.ref.split(".") as [string];
        if (!ctx.hosts.some((h) => h.name === userHost)) continue;
        fromNs = ctx.hostNs(userHost);
        source = u.source;
      }
      if (!fromNs) continue;
      const seen = observeFrom(ctx, s, fromNs, source);
      const who = source ? `${u.ref} (source ${source})` : u.ref;
      if (seen === "tunnel") ctx.note(`wireguard: ${who} exits through ${s.host}'s ${s.tunnel.name}; beyond it the source is ${tunnelAddress}, the tunnel's address`);
      else {
        ctx.finding({
          component: "wireguard",
          host: s.host,
          file,
          severity: "error",
          message: seen === "other" ? `${who} reached beyond ${s.tunnel.name}, but not as the tunnel's address ${tunnelAddress}` : `${who} does not exit through ${s.host}'s ${s.tunnel.name}`,
        });
      }
    }
  }
}

/** Hub meshes: from one spoke to another, the first hop (TTL 1) is the hub's overlay address. */
function judgeHubs(ctx: LabContext): void {
  const inLab = new Set(ctx.hosts.map((h) => h.name));
  for (const mesh of ctx.ir.meshes.filter((m) => m.shape === "hub" && m.hub && inLab.has(m.hub))) {
    const hub = mesh.members.find((m) => m.host === mesh.hub)!;
    const spokes = mesh.members.filter((m) => m.host !== mesh.hub && inLab.has(m.host));
    for (const a of spokes) {
      for (const b of spokes) {
        if (a.host === b.host) continue;
        // Up to three tries: the first packet may wait for a handshake (wireguard-go on a busy machine).
        const hubRe = new RegExp(`From ${hub.address.replace(/\./g, "\\.")}\\b.*Time to live exceeded`);
        let r = ctx.run.tryExec(ctx.hostNs(a.host), ["ping", "-n", "-c", "1", "-W", "2", "-t", "1", b.address], { timeoutMs: 5000 });
        for (let i = 1; i < 3 && !hubRe.test(r.stdout); i++) r = ctx.run.tryExec(ctx.hostNs(a.host), ["ping", "-n", "-c", "1", "-W", "2", "-t", "1", b.address], { timeoutMs: 5000 });
        const viaHub = hubRe.test(r.stdout);
        if (viaHub) ctx.note(`wireguard: ${a.host} -> ${b.host} (${b.address}) on ${mesh.name}: first hop is the hub ${hub.host} (${hub.address})`);
        else {
          ctx.finding({
            component: "wireguard",
            host: a.host,
            file: `hosts/${a.host}/network.nix`,
            severity: "error",
            message: `${a.host} -> ${b.host} on hub mesh ${mesh.name}: the first hop is not the hub ${hub.address} (${(r.stdout + r.stderr).trim().split("\n").slice(1, 2).join(" ") || "no answer"})`,
          });
        }
      }
    }
  }
}
