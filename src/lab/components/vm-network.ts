/**
 * microVM hypervisors: each guest of the generated `microvm.vms` becomes a namespace plugged into
 * the hypervisor by a veth named like its TAP (the host's generated networkd enslaves it to the
 * VM's bridge), with the guest's MAC on its NIC and a real networkd reading the guest's own
 * generated units (static address, gateway, DNS, matched by MAC). Around them:
 * - the admin side: a machine behind the host's admin interface (tailscale in production), with a
 *   route to the VM pool through the host (endpoint `external.<host>-admin`);
 * - the metadata service: a machine behind the upstream router holding the metadata address
 *   (endpoint `external.<host>-metadata`), the way a cloud's is reached through the uplink;
 * - the provider routes each VM subnet to the host, so "the internet cannot open a connection to
 *   a VM" is the firewall's doing, not a missing route.
 * Judge: guest networkd's complaints; every VM reaches the internet as the host's uplink address
 * (masquerade), and metadata requests go through the DNAT rule (its counter) and reach the
 * service as the host.
 */
import { join } from "node:path";
import type { HostIR } from "../../ir/types.js";
import { addressOf } from "../../net/ipv4.js";
import { WAN } from "../../policy/contributors/host-firewall.js";
import { adminEndpoint, metadataEndpoint } from "../../policy/contributors/vm-network.js";
import type { LabComponent, LabContext } from "../context.js";
import { at, isObject, type Json, type JsonObject } from "../generated/tree.js";
import { renderNetworkd, UnitRenderError } from "../generated/networkd-units.js";
import { sleep } from "../runtime/exec.js";
import type { Daemon, LabRun } from "../runtime/run.js";
import { complaints, NETWORKD, startNetworkd, waitNetworkd } from "./networkd.js";
import { ROUTER } from "./upstream.js";

/** A lab-only port in the internet machine that answers with the address it sees. */
const WHOAMI_PORT = 65123;
const GUESTS = "vm-network.guests";

interface Guest {
  readonly host: string;
  readonly vm: string;
  readonly ns: string;
  readonly unitDir?: string;
  /** The guest's address (with prefix) from its generated unit. */
  readonly address?: string;
  daemon?: Daemon;
}

const guestsOf = (ctx: LabContext) => (ctx.shared.get(GUESTS) ?? []) as Guest[];
const vmHosts = (ctx: LabContext) => ctx.hosts.filter((h) => h.vmNetwork && h.vmNetwork.vms.length > 0);
const microvmsFile = (host: string) => `hosts/${host}/microvms.nix`;

export const vmNetworkComponent: LabComponent = {
  name: "vm-network",
  requires: (ir) => (ir.hosts.some((h) => h.vmNetwork?.vms.length) ? [{ program: NETWORKD, debian: "systemd", for: "systemd-networkd in each microVM guest" }] : []),

  wire(ctx: LabContext) {
    const guests: Guest[] = [];
    const metadataNs = new Map<string, string>();
    for (const host of vmHosts(ctx)) {
      guests.push(...wireGuests(ctx, host));
      wireAdmin(ctx, host);
      wireMetadata(ctx, host, metadataNs);
    }
    ctx.shared.set(GUESTS, guests);
  },

  start(ctx: LabContext) {
    for (const g of guestsOf(ctx)) {
      if (!g.unitDir) continue;
      g.daemon = startNetworkd(ctx.run, g.ns, g.unitDir, `networkd@${g.host}.${g.vm}`);
    }
  },

  async settle(ctx: LabContext) {
    const guests = guestsOf(ctx);
    await Promise.all(guests.filter((g) => g.daemon).map((g) => waitNetworkd(ctx.run, g.daemon!, [], 15_000)));
    for (const g of guests) {
      if (g.daemon && !g.daemon.running()) ctx.finding({ component: "vm-network", host: g.host, file: microvmsFile(g.host), severity: "error", message: `networkd of guest ${g.vm} exited: ${g.daemon.log().trim().split("\n").slice(-3).join(" | ")}` });
      const address = g.address ? addressOf(g.address) : undefined;
      ctx.endpoint({ id: `${g.host}.${g.vm}`, ns: g.ns, address: () => address });
    }
    // The provider routes each VM subnet to its host (known once the host has its uplink address).
    const router = ctx.shared.get(ROUTER) as string | undefined;
    for (const host of vmHosts(ctx)) {
      const uplink = ctx.endpoints.get(host.name)?.address();
      if (!router || !uplink) continue;
      for (const vm of host.vmNetwork!.vms) ctx.run.ip(router, ["route", "replace", vm.subnet, "via", uplink]);
      ctx.note(`upstream routes the ${host.vmNetwork!.vms.length} VM subnets of ${host.name} to ${uplink}`);
    }
  },

  async judge(ctx: LabContext) {
    for (const g of guestsOf(ctx)) {
      if (!g.daemon) continue;
      for (const c of complaints(g.daemon.log())) {
        ctx.finding({ component: "vm-network", host: g.host, file: `${microvmsFile(g.host)} (guest ${g.vm}: ${c.file})`, severity: c.newerKey ? "expected" : "error", message: `line ${c.line}: ${c.message}` });
      }
    }
    for (const host of vmHosts(ctx)) {
      await judgeMasquerade(ctx, host);
      await judgeMetadata(ctx, host);
    }
  },
};

/** Each generated guest: a namespace, its TAP as a veth into the host, its NIC's MAC, its networkd units. */
function wireGuests(ctx: LabContext, host: HostIR): Guest[] {
  const config = ctx.generated.get(host.name)!.config;
  const vms = at(config, "microvm.vms");
  if (!isObject(vms)) {
    ctx.finding({ component: "vm-network", host: host.name, file: microvmsFile(host.name), severity: "error", message: "the host has a VM network but no generated microvm.vms" });
    return [];
  }
  const hostNs = ctx.hostNs(host.name);
  const out: Guest[] = [];
  for (const vm of Object.keys(vms).sort()) {
    const guest = at(vms[vm] as JsonObject, "config");
    if (!isObject(guest)) {
      ctx.finding({ component: "vm-network", host: host.name, file: microvmsFile(host.name), severity: "error", message: `microvm.vms.${vm} has no declarative config` });
      continue;
    }
    const taps = asList(at(guest, "microvm.interfaces")).filter((i): i is JsonObject => isObject(i) && i.type === "tap");
    if (taps.length === 0) {
      ctx.finding({ component: "vm-network", host: host.name, file: microvmsFile(host.name), severity: "error", message: `guest ${vm} has no tap interface` });
      continue;
    }
    const ns = ctx.run.ns(`v-${host.name}-${vm}`);
    taps.forEach((tap, i) => {
      // The TAP microvm.nix would create (up, attached to nothing), and the guest's NIC behind it.
      ctx.run.veth({ ns: hostNs, name: String(tap.id) }, { ns, name: `eth${i}` }, { bUp: false });
      ctx.run.ip(ns, ["link", "set", `eth${i}`, "address", String(tap.mac)]);
    });
    let unitDir: string | undefined;
    let address: string | undefined;
    try {
      const sn = at(guest, "systemd.network");
      const rendered = renderNetworkd(isObject(sn) ? sn : undefined);
      if (rendered.files.size) {
        const rel = join("guests", host.name, vm, "systemd-network");
        for (const [file, text] of rendered.files) ctx.run.file(join(rel, file), text);
        unitDir = join(ctx.run.dir, rel);
      }
      address = guestAddress(sn, taps.map((t) => String(t.mac)));
    } catch (e) {
      if (!(e instanceof UnitRenderError)) throw e;
      ctx.finding({ component: "vm-network", host: host.name, file: microvmsFile(host.name), severity: "error", message: `guest ${vm}: ${e.message}` });
    }
    if (!unitDir) ctx.finding({ component: "vm-network", host: host.name, file: microvmsFile(host.name), severity: "error", message: `guest ${vm} has no systemd.network units: it would have no address` });
    out.push({ host: host.name, vm, ns, ...(unitDir ? { unitDir } : {}), ...(address ? { address } : {}) });
    ctx.note(`${host.name}.${vm}: ${ns}, NIC ${taps.map((t) => `${t.mac} behind ${t.id}`).join(", ")}${address ? `, ${address}` : ""}`);
  }
  return out;
}

/** The address of the guest's unit that matches one of its NICs by MAC (or its only unit). */
function guestAddress(sn: Json | undefined, macs: readonly string[]): string | undefined {
  const networks = isObject(sn) && isObject(sn.networks) ? Object.values(sn.networks).filter(isObject) : [];
  const matching = networks.filter((n) => isObject(n.matchConfig) && macs.includes(String(n.matchConfig.MACAddress)));
  const unit = matching[0] ?? (networks.length === 1 ? networks[0] : undefined);
  const first = unit ? asList(unit.address)[0] : undefined;
  return typeof first === "string" ? first : undefined;
}

/** The administrator: a machine behind the admin interface (tailscale's address is the lab's). */
function wireAdmin(ctx: LabContext, host: HostIR): void {
  const net = host.vmNetwork!;
  if (!net.adminInterface) return;
  const block = ctx.addresses.block(`admin-${host.name}`);
  const ns = ctx.run.ns(`a-${host.name}`);
  ctx.run.veth({ ns: ctx.hostNs(host.name), name: net.adminInterface }, { ns, name: "eth0" });
  ctx.run.ip(ctx.hostNs(host.name), ["addr", "add", block.hostCidr(1), "dev", net.adminInterface]);
  ctx.run.ip(ns, ["addr", "add", block.hostCidr(2), "dev", "eth0"]);
  ctx.run.ip(ns, ["route", "add", net.pool, "via", block.host(1)]);
  ctx.endpoint({ id: adminEndpoint(host.name), ns, address: () => block.host(2) });
  ctx.note(`${adminEndpoint(host.name)}: ${ns} at ${block.host(2)} behind ${host.name}'s ${net.adminInterface}, routing ${net.pool} through it`);
}

/** The metadata service behind the upstream router (one machine per metadata address). */
function wireMetadata(ctx: LabContext, host: HostIR, byAddress: Map<string, string>): void {
  const md = host.vmNetwork!.metadata;
  const router = ctx.shared.get(ROUTER) as string | undefined;
  if (!md || !router) return;
  let ns = byAddress.get(md.address);
  if (!ns) {
    const block = ctx.addresses.block(`metadata-${md.address}`);
    ns = ctx.run.ns(`m-${byAddress.size}`);
    const routerIf = `md${byAddress.size}`;
    ctx.run.veth({ ns: router, name: routerIf }, { ns, name: "eth0" });
    ctx.run.ip(router, ["addr", "add", block.hostCidr(1), "dev", routerIf]);
    ctx.run.ip(ns, ["addr", "add", block.hostCidr(2), "dev", "eth0"]);
    ctx.run.ip(ns, ["addr", "add", `${md.address}/32`, "dev", "eth0"]);
    ctx.run.ip(ns, ["route", "add", "default", "via", block.host(1)]);
    ctx.run.ip(router, ["route", "add", `${md.address}/32`, "via", block.host(2)]);
    byAddress.set(md.address, ns);
    ctx.note(`metadata service ${md.address}: ${ns}, behind the upstream router`);
  }
  const where = ns;
  ctx.endpoint({ id: metadataEndpoint(host.name), ns: where, address: () => md.address });
}

/** Every VM reaches the internet as the host's uplink address. */
async function judgeMasquerade(ctx: LabContext, host: HostIR): Promise<void> {
  const wan = ctx.endpoints.get(WAN);
  const uplink = ctx.endpoints.get(host.name)?.address();
  const wanAddr = wan?.address();
  if (!wan || !uplink || !wanAddr) return;
  const seen = await whoami(ctx.run, wan.ns, WHOAMI_PORT, guestsOf(ctx).filter((g) => g.host === host.name), wanAddr);
  const bad = seen.filter((s) => s.seen !== uplink);
  for (const s of bad) {
    ctx.finding({
      component: "vm-network",
      host: host.name,
      file: `hosts/${host.name}/nftables/topo-nat.nft`,
      severity: "error",
      message: s.seen ? `VM ${s.vm} reached the internet as ${s.seen}, not as the uplink address ${uplink}: it is not masqueraded` : `VM ${s.vm} did not reach the internet (${s.detail})`,
    });
  }
  if (!bad.length) ctx.note(`${host.name}: all ${seen.length} VMs reach ${WAN} as ${uplink} (masqueraded)`);
}

/** Metadata requests go through the DNAT rule and reach the service as the host. */
async function judgeMetadata(ctx: LabContext, host: HostIR): Promise<void> {
  const md = host.vmNetwork!.metadata;
  const ep = ctx.endpoints.get(metadataEndpoint(host.name));
  const uplink = ctx.endpoints.get(host.name)?.address();
  if (!md || !ep || !uplink) return;
  const hostNs = ctx.hostNs(host.name);
  const file = `hosts/${host.name}/nftables/topo-nat.nft`;
  const before = dnatCount(ctx.run, hostNs, md.address);
  const seen = await whoami(ctx.run, ep.ns, md.port, guestsOf(ctx).filter((g) => g.host === host.name), md.address);
  const after = dnatCount(ctx.run, hostNs, md.address);
  for (const s of seen.filter((x) => x.seen !== uplink)) {
    ctx.finding({ component: "vm-network", host: host.name, file, severity: "error", message: s.seen ? `the metadata service saw VM ${s.vm} as ${s.seen}, not as the host (${uplink}): not masqueraded` : `VM ${s.vm} got no answer from the metadata service (${s.detail})` });
  }
  if (before === undefined || after === undefined) {
    ctx.finding({ component: "vm-network", host: host.name, file, severity: "error", message: `no DNAT rule for ${md.address} in the host's nat table` });
  } else if (after - before < seen.length) {
    ctx.finding({ component: "vm-network", host: host.name, file, severity: "error", message: `the DNAT rule for ${md.address} counted ${after - before} of ${seen.length} metadata connections` });
  } else ctx.note(`${host.name}: metadata ${md.address}:${md.port} answered ${seen.length} VMs through DNAT (rule counter +${after - before}), seen as ${uplink}`);
}

/** Packets counted by the DNAT rule for `address` in the host's nat tables, or undefined without one. */
function dnatCount(run: LabRun, ns: string, address: string): number | undefined {
  const r = run.tryExec(ns, ["nft", "list", "ruleset"]);
  for (const line of r.stdout.split("\n")) {
    const m = /counter packets (\d+) bytes \d+ dnat (?:ip )?to (\S+)/.exec(line);
    if (m && m[2]!.split(":")[0] === address) return Number(m[1]);
  }
  return undefined;
}

/** Connect from each guest to a listener in `ns` that answers with the peer address it sees. */
async function whoami(run: LabRun, ns: string, port: number, guests: readonly Guest[], address: string): Promise<{ vm: string; seen?: string; detail: string }[]> {
  const d = run.daemon({ ns, what: `whoami-${ns.slice(run.id.length + 1)}-${port}`, argv: ["socat", "-T", "2", `TCP4-LISTEN:${port},fork,reuseaddr`, "SYSTEM:echo $SOCAT_PEERADDR"] });
  try {
    await waitBound(run, d, ns, port);
    const out: { vm: string; seen?: string; detail: string }[] = [];
    for (const g of guests) {
      const r = run.tryExec(g.ns, ["socat", "-T", "2", "STDIO", `TCP4:${address}:${port},connect-timeout=1`], { input: "", timeoutMs: 5000 });
      const seen = r.stdout.trim().split("\n")[0];
      out.push({ vm: g.vm, ...(seen ? { seen } : {}), detail: r.stderr.trim().split("\n").pop() ?? "no answer" });
    }
    return out;
  } finally {
    // Free the port for the probes' own listener (the metadata service listens on the same port).
    try {
      process.kill(d.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100 && d.running(); i++) await sleep(20);
  }
}

async function waitBound(run: LabRun, d: Daemon, ns: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (!d.running()) return;
    if (run.tryExec(ns, ["ss", "-H", "-ltn", `sport = :${port}`]).stdout.trim()) return;
    await sleep(30);
  }
}

function asList(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

