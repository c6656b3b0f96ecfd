/**
 * systemd-networkd, the real daemon, one per emulated host, reading the host's generated
 * `systemd.network` units rendered to files exactly as NixOS renders them. It runs with its own
 * view of /run/systemd and /etc/systemd/network (tmpfs, in a private mount namespace) and a
 * read-only /sys, so it neither waits for udev nor touches the machine's own networkd.
 * It is also a judge: every complaint it logs about a generated unit fails the run, except the
 * keys listed in NEWER_THAN_HERE (valid for the NixOS target, unknown to the networkd here).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LabComponent, LabContext } from "../context.js";
import { at, isObject } from "../generated/tree.js";
import { renderNetworkd, UnitRenderError } from "../generated/networkd-units.js";
import { sleep } from "../runtime/exec.js";
import type { Daemon, LabRun } from "../runtime/run.js";

export const NETWORKD = "/lib/systemd/systemd-networkd";
/** The networkd the lab runs (Debian 12). NixOS 25.05 ships 257, 25.11 newer. */
export const NETWORKD_HERE = 252;

/**
 * Keys topo may emit that are newer than the networkd here, which ignores them with a warning:
 * `Section/Key` -> the systemd version that added it. A complaint about any other key fails the run.
 */
export const NEWER_THAN_HERE: Readonly<Record<string, number>> = {
  "Network/IPv4Forwarding": 256,
  "Network/IPv6Forwarding": 256,
};

/** Shell run in the daemon's private mount namespace before networkd starts ("$1" = the unit directory). */
const MOUNT_SETUP = [
  "mount -t tmpfs tmpfs /run/systemd",
  "mkdir -p /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp",
  "chown -R systemd-network:systemd-network /run/systemd/netif",
  "mount -t tmpfs tmpfs /etc/systemd/network",
  'cp -R "$1"/. /etc/systemd/network/',
  // Read-only /sys: networkd stops waiting for udev to initialise links.
  "mount -o remount,ro /sys",
];

/** Start a networkd in a namespace on the unit files of `unitDir`. Other components (a lab DHCP server) use it too. */
export function startNetworkd(run: LabRun, ns: string, unitDir: string, what: string): Daemon {
  return run.daemon({
    ns,
    what,
    argv: [NETWORKD],
    mountSetup: MOUNT_SETUP,
    mountArgs: [unitDir],
    env: { SYSTEMD_LOG_TARGET: "console", SYSTEMD_LOG_COLOR: "0", SYSTEMD_LOG_LEVEL: process.env.TOPO_LAB_NETWORKD_LOG ?? "info" },
  });
}

interface LinkState {
  readonly ifname: string;
  readonly admin?: string;
  readonly oper?: string;
  readonly networkFile?: string;
}

/** networkd's own view of each link of its namespace (its state files, seen through /proc/PID/root). */
export function networkdLinks(run: LabRun, d: Daemon): LinkState[] {
  const links = JSON.parse(run.ip(d.ns, ["-j", "link", "show"])) as { ifindex: number; ifname: string }[];
  const dir = `/proc/${d.pid}/root/run/systemd/netif/links`;
  return links
    .filter((l) => l.ifname !== "lo")
    .map((l) => {
      const f = join(dir, String(l.ifindex));
      const kv: Record<string, string> = {};
      if (existsSync(f)) {
        for (const line of readFileSync(f, "utf8").split("\n")) {
          const i = line.indexOf("=");
          if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
        }
      }
      return { ifname: l.ifname, admin: kv.ADMIN_STATE, oper: kv.OPER_STATE, networkFile: kv.NETWORK_FILE };
    });
}

/** A managed link is settled when configured, or when it has its addresses and only waits for IPv6 extras. */
function settled(l: LinkState): boolean {
  if (!l.networkFile) return true;
  if (l.admin === "configured" || l.admin === "failed" || l.admin === "unmanaged" || l.admin === "linger") return true;
  return l.admin === "configuring" && (l.oper === "routable" || l.oper === "enslaved");
}

/** Wait until networkd has enumerated its links, created its netdevs and settled every managed link. */
export async function waitNetworkd(run: LabRun, d: Daemon, netdevNames: readonly string[], timeoutMs = 20_000): Promise<LinkState[]> {
  const t0 = Date.now();
  let links: LinkState[] = [];
  while (Date.now() - t0 < timeoutMs) {
    if (!d.running()) return links;
    if (d.log().includes("Enumeration completed")) {
      links = networkdLinks(run, d);
      const names = new Set(links.map((l) => l.ifname));
      if (netdevNames.every((n) => names.has(n)) && links.every(settled)) return links;
    }
    await sleep(100);
  }
  return links;
}

const COMPLAINT = /^\/etc\/systemd\/network\/([^:\s]+):(\d+): (.*)$/;
const UNKNOWN_KEY = /^Unknown key '([^']+)' in section \[([^\]]+)\]/;

export interface Complaint {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /** Set when the complaint is about a key newer than the networkd here. */
  readonly newerKey?: { readonly key: string; readonly since: number };
}

/** networkd's complaints about unit files, from its log. */
export function complaints(log: string): Complaint[] {
  const out: Complaint[] = [];
  for (const raw of log.split("\n")) {
    const m = COMPLAINT.exec(raw.trim());
    if (!m) continue;
    const u = UNKNOWN_KEY.exec(m[3]!);
    const since = u ? NEWER_THAN_HERE[`${u[2]}/${u[1]}`] : undefined;
    out.push({ file: m[1]!, line: Number(m[2]), message: m[3]!, ...(u && since ? { newerKey: { key: `${u[2]}.${u[1]}`, since } } : {}) });
  }
  return out;
}

/** Link-level failures networkd logs while applying a unit ("enp1s0: Could not set route: ..."). */
function linkFailures(log: string, ifnames: ReadonlySet<string>): string[] {
  return log
    .split("\n")
    .filter((l) => {
      const i = l.indexOf(": ");
      return i > 0 && ifnames.has(l.slice(0, i)) && /(Could not|Failed to|failed)/.test(l) && !/lease lost/.test(l);
    });
}

const DAEMONS = "networkd.daemons";

/**
 * `ctx.shared` key: host -> names of netdevs another component provides (e.g. wireguard-go standing
 * in for the WireGuard kernel module). Their .netdev files are not given to networkd, which could
 * not create them here; the component that provides them judges them. The .network files stay.
 */
export const PROVIDED_NETDEVS = "networkd.providedNetdevs";

interface HostNetworkd {
  readonly host: string;
  readonly daemon: Daemon;
  /** Netdevs networkd can create here (waited for, and an error when missing). */
  readonly netdevNames: readonly string[];
  /** Netdevs of kinds this kernel cannot create (no WireGuard module...): a component must provide the device. */
  readonly uncreatable: readonly { readonly name: string; readonly kind: string }[];
  readonly unitDir: string;
}

/**
 * Can this machine's kernel create links of a kind? (No WireGuard or OVS module here: their
 * devices come from wireguard-go / ovs-vswitchd components, not from networkd.) Tried once per
 * kind, in a namespace of the run.
 */
function kernelCreates(ctx: LabContext, ns: string, kind: string, cache: Map<string, boolean>): boolean {
  let ok = cache.get(kind);
  if (ok === undefined) {
    ok = ctx.run.tryExec(ns, ["ip", "link", "add", "topo-kind0", "type", kind]).status === 0;
    if (ok) ctx.run.tryExec(ns, ["ip", "link", "del", "topo-kind0"]);
    cache.set(kind, ok);
  }
  return ok;
}

export const networkdComponent: LabComponent = {
  name: "systemd-networkd",
  requires: () => [{ program: NETWORKD, debian: "systemd", for: "systemd-networkd in each emulated host" }],

  start(ctx: LabContext) {
    const started: HostNetworkd[] = [];
    const kinds = new Map<string, boolean>();
    for (const h of ctx.hosts) {
      const gen = ctx.generated.get(h.name)!;
      const sn = at(gen.config, "systemd.network");
      let rendered;
      try {
        rendered = renderNetworkd(isObject(sn) ? sn : undefined);
      } catch (e) {
        if (!(e instanceof UnitRenderError)) throw e;
        ctx.finding({ component: "systemd-networkd", host: h.name, file: `hosts/${h.name}/network.nix`, severity: "error", message: e.message });
        continue;
      }
      if (rendered.files.size === 0) continue;
      const unitDir = join(ctx.run.dir, "hosts", h.name, "systemd-network");
      const provided = providedNetdevFiles(ctx, h.name, sn);
      for (const [file, text] of rendered.files) if (!provided.has(file)) ctx.run.file(join("hosts", h.name, "systemd-network", file), text);
      const daemon = startNetworkd(ctx.run, ctx.hostNs(h.name), unitDir, `networkd@${h.name}`);

      const ns = ctx.hostNs(h.name);
      const creatable = (n: string) => kernelCreates(ctx, ns, rendered.netdevKinds.get(n) ?? "dummy", kinds);
      started.push({
        host: h.name,
        daemon,
        netdevNames: rendered.netdevNames.filter(creatable),
        uncreatable: rendered.netdevNames.filter((n) => !creatable(n)).map((name) => ({ name, kind: rendered.netdevKinds.get(name)! })),
        unitDir,
      });
      ctx.note(`networkd@${h.name}: pid ${daemon.pid}, units in ${unitDir}, log ${daemon.logFile}`);
    }
    ctx.shared.set(DAEMONS, started);
  },

  async settle(ctx: LabContext) {
    const started = (ctx.shared.get(DAEMONS) ?? []) as HostNetworkd[];
    await Promise.all(
      started.map(async (s) => {
        const links = await waitNetworkd(ctx.run, s.daemon, s.netdevNames);
        if (!s.daemon.running()) {
          ctx.finding({ component: "systemd-networkd", host: s.host, severity: "error", message: `networkd exited: ${lastLines(s.daemon.log())}` });
          return;
        }
        for (const n of s.netdevNames) {
          if (!links.some((l) => l.ifname === n)) ctx.finding({ component: "systemd-networkd", host: s.host, severity: "error", message: `netdev ${n} was not created` });
        }
        for (const u of s.uncreatable) {
          if (links.some((l) => l.ifname === u.name)) continue; // a component provided the device
          ctx.finding({
            component: "systemd-networkd",
            host: s.host,
            severity: "expected",
            message: `netdev ${u.name} (Kind=${u.kind}) not created: the kernel here cannot create ${u.kind} links, and no lab component provided the device`,
          });
        }
        for (const l of links) {
          if (l.admin === "failed") ctx.finding({ component: "systemd-networkd", host: s.host, file: l.networkFile?.replace(/^.*\//, ""), severity: "error", message: `link ${l.ifname} failed to configure` });
          else if (!settled(l)) ctx.note(`networkd@${s.host}: link ${l.ifname} still ${l.admin}/${l.oper} after the wait`);
        }
      }),
    );
  },

  judge(ctx: LabContext) {
    const started = (ctx.shared.get(DAEMONS) ?? []) as HostNetworkd[];
    for (const s of started) {
      const log = s.daemon.log();
      const files = new Set(readdirSync(s.unitDir));
      for (const c of complaints(log)) {
        if (!files.has(c.file)) continue; // a unit of the distribution's own, not generated
        ctx.finding({
          component: "systemd-networkd",
          host: s.host,
          file: c.file,
          severity: c.newerKey ? "expected" : "error",
          message: c.newerKey ? `${c.message} (${c.newerKey.key} is new in systemd ${c.newerKey.since}; the networkd here is ${NETWORKD_HERE})` : `line ${c.line}: ${c.message}`,
        });
      }
      const ifnames = new Set(networkdLinksSafe(ctx.run, s.daemon));
      for (const l of linkFailures(log, ifnames)) ctx.finding({ component: "systemd-networkd", host: s.host, severity: "error", message: l.trim() });
    }
  },
};

/** The .netdev files of a host whose devices another component provides. */
function providedNetdevFiles(ctx: LabContext, host: string, sn: unknown): Set<string> {
  const names = (ctx.shared.get(PROVIDED_NETDEVS) as Map<string, Set<string>> | undefined)?.get(host);
  const out = new Set<string>();
  const netdevs = isObject(sn) && isObject(sn.netdevs) ? sn.netdevs : {};
  for (const [attr, def] of Object.entries(netdevs)) {
    const name = isObject(def) && isObject(def.netdevConfig) ? def.netdevConfig.Name : undefined;
    if (typeof name === "string" && names?.has(name)) out.add(`${attr}.netdev`);
  }
  return out;
}

function networkdLinksSafe(run: LabRun, d: Daemon): string[] {
  try {
    return networkdLinks(run, d).map((l) => l.ifname);
  } catch {
    return [];
  }
}

function lastLines(log: string, n = 5): string {
  return log.trim().split("\n").slice(-n).join(" | ");
}
