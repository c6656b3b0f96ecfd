/**
 * Open vSwitch in the lab. Each host whose generated files declare `networking.vswitches` gets a
 * real ovsdb-server and ovs-vswitchd in its namespace (userspace datapath: no kernel module here),
 * and its bridges are built from the evaluated data as NixOS's <bridge>-netdev.service builds them:
 * bridge, internal ports, fail mode and port numbers (extraOvsctlCmds), then the flows
 * (openFlowRules, ovs-ofctl add-flows). It starts before networkd, as on NixOS, so networkd finds
 * the bridge's interface and gives it its address.
 *
 * It also forwards frames as it reads them, so the lab turns transmit checksum offload off on the
 * devices that feed the switch (the kernel datapath fills checksums in; TCP would fail otherwise).
 * The userspace datapath copies a port's frames from its device instead of taking them: the host's
 * own stack would still see them (and answer ARP for its addresses on a container's veth, a path
 * the kernel datapath on NixOS does not have), so the lab sets arp_ignore=8 on each port.
 *
 * Environment (from the topology): each container on an OVS bridge is a namespace behind its
 * port (a veth named as the generated port, `eth0` inside, or the port's own name for a NixOS
 * container), attached the way topo's late-port service attaches it (`topo.ovs.latePorts`). A
 * NixOS container is then brought up by the `ip` commands NixOS would run for its generated
 * `containers.<name>` (nixos-container-commands.ts); one that fails is a finding.
 *
 * Judge: the switch must hold exactly the generated flows (ovs-ofctl diff-flows) and vswitchd must
 * not have rewritten a match. Where a chain ends in a tunnel whose device another component
 * provides (wireguard), it proves what the intent matrix cannot: the hops are taken in order (the
 * flow counters of each hop and the tunnel's packet counter move), and the leak test — with the
 * tunnel down, the chain's traffic goes nowhere: not out of the uplink (its packet counter stays),
 * dropped by the privacy guard (its counter moves), and it comes back when the tunnel does.
 */
import { join } from "node:path";
import type { ChainIR } from "../../ir/ovs.js";
import type { HostIR, OvsBridgeIR } from "../../ir/types.js";
import { addressOf } from "../../net/ipv4.js";
import { tunnelEndpoint } from "../../policy/contributors/ovs.js";
import { WAN } from "../../policy/contributors/host-firewall.js";
import type { LabComponent, LabContext } from "../context.js";
import { containerCommands } from "../generated/nixos-container-commands.js";
import { at, isObject } from "../generated/tree.js";
import { OvsInstance, type VswitchesData } from "../ovs/daemon.js";
import { sleep } from "../runtime/exec.js";

const STATE = "openvswitch.lab";
const PRIVACY_TABLE = "topo-privacy";

interface HostOvs {
  readonly host: HostIR;
  readonly ns: string;
  readonly data: VswitchesData;
  /** Container namespaces by container name. */
  readonly containers: Map<string, string>;
  ovs?: OvsInstance;
}

function vswitchesOf(ctx: LabContext, host: string): VswitchesData | undefined {
  const config = ctx.generated.get(host)!.config;
  const v = at(config, "networking.vswitches");
  if (!isObject(v) || Object.keys(v).length === 0) return undefined;
  return { networking: { vswitches: v as never }, topo: { ovs: { latePorts: (at(config, "topo.ovs.latePorts") ?? {}) as never } } };
}

function state(ctx: LabContext): HostOvs[] {
  return (ctx.shared.get(STATE) as HostOvs[] | undefined) ?? [];
}

export const ovsComponent: LabComponent = {
  name: "openvswitch",

  requires(ir) {
    if (!ir.hosts.some((h) => h.bridges.some((b) => b.kind === "ovs"))) return [];
    return [
      ...["ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"].map((program) => ({
        program,
        debian: "openvswitch-switch",
        for: "Open vSwitch bridges (userspace datapath)",
      })),
      { program: "ethtool", debian: "ethtool", for: "checksums computed before frames enter the userspace datapath" },
    ];
  },

  wire(ctx) {
    const hosts: HostOvs[] = [];
    for (const host of ctx.hosts) {
      const data = vswitchesOf(ctx, host.name);
      if (!data) continue;
      const ns = ctx.hostNs(host.name);
      const containers = new Map<string, string>();
      const late = data.topo?.ovs?.latePorts ?? {};
      // Declared ports that are existing interfaces (a NIC): hardware that leads nowhere here.
      for (const v of Object.values(data.networking?.vswitches ?? {})) {
        for (const [port, p] of Object.entries(v.interfaces)) if (p.type !== "internal" && !(port in late)) ctx.dangling({ ns, name: port });
      }
      for (const c of host.containers) {
        const br = host.bridges.find((b): b is OvsBridgeIR => b.kind === "ovs" && b.name === c.bridge);
        if (!br) continue;
        const cns = ctx.run.ns(`c-${host.name}-${c.id}`);
        containers.set(c.name, cns);
        // A NixOS container's extra veth has the port's name inside too; Proxmox/LXC calls it eth0.
        const inside = c.runtime === "nixos" ? c.port : "eth0";
        if (c.port in late) ctx.run.veth({ ns, name: c.port }, { ns: cns, name: inside });
        else if (c.portType !== "internal") ctx.note(`${host.name}: ${c.port} of ${c.name} is not a late port of the generated vswitches; not plugged`);
        const id = `${host.name}.${c.name}`;
        if (!ctx.endpoints.has(id)) ctx.endpoint({ id, ns: cns, address: () => addressOf(c.address) });
      }
      hosts.push({ host, ns, data, containers });
    }
    ctx.shared.set(STATE, hosts);
  },

  start(ctx) {
    for (const h of state(ctx)) {
      const dir = join(ctx.run.dir, "ovs", h.host.name);
      ctx.run.file(join("ovs", h.host.name, ".keep"), "");
      const ovs = OvsInstance.start(h.ns, dir, (what, argv, env) => {
        ctx.run.daemon({ ns: h.ns, what: `${what}@${h.host.name}`, argv, env });
      });
      h.ovs = ovs;
      ovs.applyVswitches(h.data);
      for (const [port, p] of Object.entries(h.data.topo?.ovs?.latePorts ?? {})) {
        ovs.attachLatePort(port, p.bridge, p.ofport);
        // The kernel datapath takes a port's frames away from the host's own stack; the userspace
        // datapath only copies them, and the host would answer ARP on the veth itself (a path
        // around the flows that NixOS does not have). Keep the host's stack off its ports.
        ctx.run.exec(h.ns, ["sysctl", "-q", "-w", `net.ipv4.conf.${port}.arp_ignore=8`]);
      }
      // Containers on OVS internal ports: the port OVS made moves into the container's namespace.
      for (const c of h.host.containers.filter((x) => x.portType === "internal" && h.containers.has(x.name))) {
        ctx.run.ip(h.ns, ["link", "set", c.port, "netns", h.containers.get(c.name)!]);
        ctx.run.ip(h.containers.get(c.name)!, ["link", "set", c.port, "up"]);
      }
      // The userspace datapath forwards frames as it reads them: a TCP checksum a veth or tap left
      // to "hardware" would arrive unfilled, so every device that feeds the switch computes its own.
      // (The kernel datapath on NixOS fills them in; ICMP, without offload, works either way.)
      const noOffload = (ns: string, dev: string) => ctx.run.tryExec(ns, ["ethtool", "-K", dev, "tx", "off"]);
      for (const br of Object.keys(h.data.networking?.vswitches ?? {})) noOffload(h.ns, br);
      for (const port of Object.keys(h.data.topo?.ovs?.latePorts ?? {})) noOffload(h.ns, port);
      // Inside each container: what its own system configures (Proxmox/LXC or the NixOS container).
      for (const c of h.host.containers) {
        const cns = h.containers.get(c.name);
        if (!cns) continue;
        const iface = c.portType === "internal" || c.runtime === "nixos" ? c.port : "eth0";
        noOffload(cns, iface);
        if (c.runtime === "nixos") nixosContainerUp(ctx, h, c.name, cns);
        else {
          ctx.run.ip(cns, ["addr", "add", c.address, "dev", iface]);
          if (c.gateway) ctx.run.ip(cns, ["route", "add", "default", "via", c.gateway]);
        }
        if (relays(ctx, h, c.name)) ctx.run.exec(cns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
      }
      ctx.note(`openvswitch@${h.host.name}: ovsdb and vswitchd in ${h.ns}, state in ${dir}; ovs-ofctl dump-flows unix:${dir}/<bridge>.mgmt`);
    }
  },

  async judge(ctx) {
    for (const h of state(ctx)) {
      const ovs = h.ovs;
      if (!ovs) continue;
      for (const [br, v] of Object.entries(h.data.networking?.vswitches ?? {})) {
        const file = ctx.run.file(join("ovs", h.host.name, `${br}.expected.flows`), v.openFlowRules);
        const diff = ovs.ofctl(br, "diff-flows", [file], v.openFlowVersion);
        if (diff.status !== 0 || diff.stdout.trim()) {
          ctx.finding({
            component: "openvswitch",
            host: h.host.name,
            file: `hosts/${h.host.name}/openflow/${br}.flows`,
            severity: "error",
            message: `the switch does not hold the generated flows: ${(diff.stdout || diff.stderr).trim().split("\n").slice(0, 4).join(" | ")}`,
          });
        }
      }
      // An internal port handed to a container's namespace is out of vswitchd's sight for ethtool
      // (the lab's doing, not the generated files'); anything else it warns about is a finding.
      const moved = h.host.containers.filter((c) => c.portType === "internal").map((c) => c.port);
      const seen = new Set<string>();
      for (const line of ovs.log().split("\n").filter((l) => /\|(WARN|ERR|EMER)\|/.test(l) || /normalization changed/.test(l))) {
        if (/netdev_max_backlog|mlockall|not supported by the datapath|Dropped \d+ log messages/.test(line)) continue;
        if (/ethtool command/.test(line) && moved.some((p) => line.includes(`device ${p} `))) continue;
        const message = `ovs-vswitchd: ${line.replace(/^\S+\|\d+\|/, "")}`;
        if (seen.has(message)) continue;
        seen.add(message);
        ctx.finding({ component: "openvswitch", host: h.host.name, severity: "error", message });
      }
      for (const ch of h.host.chains) await proveChain(ctx, h, ch);
    }
  },
};

/**
 * A NixOS container's own start, from the generated containers.nix: the `ip` commands
 * nixos-containers.nix and the container's networking run (rendered as NixOS renders them), host
 * side and inside. A failing one is a finding: container@<name> would not start.
 */
function nixosContainerUp(ctx: LabContext, h: HostOvs, name: string, cns: string): void {
  const c = at(ctx.generated.get(h.host.name)!.config, `containers.${name}`);
  if (!isObject(c)) return;
  for (const cmd of containerCommands(name, c).commands) {
    if (cmd.step === "preStart") continue; // the veths are the lab's, made before
    const r = ctx.run.tryExec(cmd.side === "host" ? h.ns : cns, ["ip", ...cmd.args]);
    if (r.status !== 0 && !cmd.mayFail) {
      ctx.finding({ component: "openvswitch", host: h.host.name, file: `hosts/${h.host.name}/containers.nix`, severity: "error", message: `container ${name}: ${cmd.step} (${cmd.side}): \`ip ${cmd.args.join(" ")}\` fails: ${r.stderr.trim()}` });
    }
  }
}

/**
 * A hop in the middle of a chain forwards what it relays: a NixOS container says so in its
 * generated config, a Proxmox/LXC one is configured by its owner (the chain is the declaration).
 */
function relays(ctx: LabContext, h: HostOvs, container: string): boolean {
  const c = h.host.containers.find((x) => x.name === container)!;
  if (c.runtime === "nixos") {
    const v = at(ctx.generated.get(h.host.name)!.config, `containers.${container}.config.boot.kernel.sysctl`);
    return isObject(v) && v["net.ipv4.conf.all.forwarding"] === true;
  }
  return h.host.chains.some((ch) => ch.hops.some((hop, i) => i > 0 && i < ch.hops.length - 1 && hop.name === container));
}

/** n_packets of each flow, keyed by "priority,in_port". */
function counters(ovs: OvsInstance, bridge: string, cookie: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of ovs.dumpFlows(bridge, { stats: true, filter: `cookie=${cookie}/-1` }).split("\n")) {
    const n = /n_packets=(\d+)/.exec(line);
    const prio = /priority=(\d+)/.exec(line);
    const inPort = /in_port=([^, ]+)/.exec(line);
    if (n && prio) {
      const k = `${prio[1]},${inPort?.[1] ?? "*"}`;
      out.set(k, (out.get(k) ?? 0) + Number(n[1]));
    }
  }
  return out;
}

function linkPackets(ctx: LabContext, ns: string, ifname: string, dir: "tx" | "rx"): number | undefined {
  const r = ctx.run.tryExec(ns, ["ip", "-s", "-j", "link", "show", "dev", ifname]);
  if (r.status !== 0) return undefined;
  const j = JSON.parse(r.stdout) as { stats64?: Record<string, { packets: number }> }[];
  return j[0]?.stats64?.[dir]?.packets;
}

async function ping(ctx: LabContext, ns: string, address: string, count = 2): Promise<boolean> {
  return ctx.run.tryExec(ns, ["ping", "-n", "-q", "-c", String(count), "-W", "1", "-i", "0.2", address], { timeoutMs: 8000 }).status === 0;
}

function guardDrops(ctx: LabContext, ns: string): number {
  const r = ctx.run.tryExec(ns, ["nft", "-j", "list", "table", "inet", PRIVACY_TABLE]);
  if (r.status !== 0) return 0;
  let n = 0;
  for (const item of (JSON.parse(r.stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }).nftables) {
    for (const e of item.rule?.expr ?? []) if (e.counter) n += e.counter.packets;
  }
  return n;
}

/**
 * Counts what the host sends out of `uplink` from `sources`, before any masquerade: a lab-owned
 * table (postrouting at srcnat - 1, accept-only) sees exactly what passed the host's forward
 * chain, so the uplink's own traffic (mesh handshakes, keepalives, ARP) cannot be taken for a leak.
 */
function leakCounter(ctx: LabContext, ns: string, uplink: string, sources: readonly string[]): { packets(): number; remove(): void } {
  const table = "topo-lab-leak";
  ctx.run.exec(ns, ["nft", "-f", "-"], {
    input: [
      `table ip ${table} {`,
      "  chain out {",
      "    type filter hook postrouting priority srcnat - 1; policy accept;",
      `    oifname "${uplink}" ip saddr { ${sources.join(", ")} } counter`,
      "  }",
      "}",
      "",
    ].join("\n"),
  });
  return {
    packets() {
      const r = ctx.run.tryExec(ns, ["nft", "-j", "list", "table", "ip", table]);
      if (r.status !== 0) return 0;
      let n = 0;
      for (const item of (JSON.parse(r.stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] }).nftables) {
        for (const e of item.rule?.expr ?? []) if (e.counter) n += e.counter.packets;
      }
      return n;
    },
    remove: () => void ctx.run.tryExec(ns, ["nft", "delete", "table", "ip", table]),
  };
}

/**
 * A chain whose last hop is a tunnel: its hops in order, then the leak test. Needs the tunnel's
 * device in the host (made by the WireGuard component) and the world beyond it as an endpoint.
 */
async function proveChain(ctx: LabContext, h: HostOvs, ch: ChainIR): Promise<void> {
  const ovs = h.ovs!;
  const last = ch.hops[ch.hops.length - 1]!;
  const first = ch.hops[0]!;
  const what = `chain ${ch.name} (${ch.hops.map((x) => x.name).join(" -> ")})`;
  if (last.kind !== "tunnel") return;
  const beyond = ctx.endpoints.get(tunnelEndpoint(h.host.name, last.name));
  const fromNs = h.containers.get(first.name);
  const target = beyond?.address();
  if (!beyond || !fromNs || !target || linkPackets(ctx, h.ns, last.name, "tx") === undefined) {
    ctx.note(`${h.host.name}: ${what} not proved: no lab component provides ${last.name} and the world beyond it yet`);
    return;
  }
  const br = h.host.bridges.find((b): b is OvsBridgeIR => b.kind === "ovs" && b.name === ch.bridge)!;
  const cookie = `0x746f706f${(0x100 + h.host.chains.indexOf(ch)).toString(16).padStart(8, "0")}`;
  const ofport = (port: string) => String(br.ovs.attachments.find((a) => a.name === port)!.ofport);

  // In order: every container hop's forward flow counts the probe, then the tunnel sends it.
  const before = counters(ovs, br.name, cookie);
  const txBefore = linkPackets(ctx, h.ns, last.name, "tx")!;
  const reached = await ping(ctx, fromNs, target, 3);
  // Datapath statistics reach the OpenFlow rules with the revalidators (every 500 ms by default).
  let after = counters(ovs, br.name, cookie);
  for (let i = 0; i < 12 && ch.hops.slice(0, -1).some((hop) => (after.get(`63000,${ofport(hop.port)}`) ?? 0) <= (before.get(`63000,${ofport(hop.port)}`) ?? 0)); i++) {
    await sleep(250);
    after = counters(ovs, br.name, cookie);
  }
  const txAfter = linkPackets(ctx, h.ns, last.name, "tx")!;
  const steps = ch.hops.slice(0, -1).map((hop) => {
    const k = `63000,${ofport(hop.port)}`;
    return { hop: hop.name, delta: (after.get(k) ?? 0) - (before.get(k) ?? 0) };
  });
  const order = [...steps.map((s) => `${s.hop} (+${s.delta} packets)`), `${last.name} (+${txAfter - txBefore} sent)`].join(" -> ");
  if (!reached || steps.some((s) => s.delta <= 0) || txAfter - txBefore <= 0) {
    ctx.finding({ component: "openvswitch", host: h.host.name, severity: "error", message: `${what}: a probe from ${first.name} to ${target} ${reached ? "arrived" : "did not arrive"}; hops counted: ${order}` });
    return;
  }
  ctx.note(`${h.host.name}: ${what} taken in order: ${order}`);

  // The leak test: the tunnel goes down; the chain's traffic must go nowhere, not around it.
  const wan = ctx.endpoints.get(WAN)?.address();
  const uplink = h.host.uplink.interface;
  const sources = ch.hops.flatMap((hop) => (hop.kind === "container" && hop.address ? [hop.address] : []));
  const dropsBefore = guardDrops(ctx, h.ns);
  const out = leakCounter(ctx, h.ns, uplink, sources);
  ctx.run.ip(h.ns, ["link", "set", last.name, "down"]);
  const sent = 4;
  const leaked: string[] = [];
  let upDelta: number;
  try {
    for (const dest of [target, ...(wan ? [wan] : [])]) if (await ping(ctx, fromNs, dest, sent / 2)) leaked.push(dest);
  } finally {
    ctx.run.ip(h.ns, ["link", "set", last.name, "up"]);
    upDelta = out.packets();
    out.remove();
  }
  const dropped = guardDrops(ctx, h.ns) - dropsBefore;
  if (leaked.length || upDelta > 0 || dropped <= 0) {
    ctx.finding({
      component: "openvswitch",
      host: h.host.name,
      severity: "error",
      message: `${what} leaks with ${last.name} down: reached ${leaked.join(", ") || "nothing"}, ${upDelta} packets of the chain out of ${uplink}, ${dropped} dropped by the privacy guard`,
    });
  } else {
    ctx.note(`${h.host.name}: leak test, ${last.name} down: ${first.name} reached nothing (${sent} probes; none of the chain's packets left by ${uplink}; the privacy guard dropped ${dropped})`);
  }
  // Back up: networkd restores the tunnel's routes; the matrix probes that follow need them.
  for (let i = 0; i < 20; i++) {
    if (await ping(ctx, fromNs, target, 1)) return;
    await sleep(250);
  }
  ctx.finding({ component: "openvswitch", host: h.host.name, severity: "error", message: `${what}: ${first.name} did not reach ${target} again after ${last.name} came back up` });
}
