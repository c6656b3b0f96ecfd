/**
 * Road-warrior clients of the hosts' WireGuard VPN servers (`hosts.<h>.vpnServers.<if>.clients`).
 * The server itself is the wireguard component's (a wireguard-go device from the generated netdev
 * and peers, each client's public key replaced by a lab key); this component stands up the other
 * end, as a laptop on the internet would be:
 * - every client of a server a client can dial (`dialableServers`: an uplink address with a way out)
 *   is a namespace on a segment of its own behind the upstream router (one lab /28 per server,
 *   so at most 13 clients each: the rest are listed, their cells not probed). Every client, not
 *   the first only: each is its own peer on the server, allowed its own address (cryptokey
 *   routing), which is what the spoofed cells try; one wireguard-go each, linear in clients;
 * - in it, wireguard-go `wg0` with the lab key the server's peer entry for that client names,
 *   one peer (the server's lab key) at the host's uplink address and listen port, AllowedIPs
 *   0.0.0.0/0 and a keepalive; the client's pool address on wg0 and the default route through it
 *   (a full tunnel); only the server's uplink address goes by the link (for a DHCP uplink, the
 *   lab's DHCP block; the peer's endpoint is set to the host's lease once the lab has settled, as
 *   a road warrior follows a dynamic name);
 * - endpoint `external.<host>.<if>.<client>` (policy/contributors/vpn-server.ts) at its pool address.
 * Judge: each client completes a handshake with its server (else the generated server, its port in
 * the firewall or its peer entry for the client is wrong).
 */
import type { HostIR } from "../../ir/types.js";
import type { VpnClientIR, VpnServerIR } from "../../ir/wireguard.js";
import type { KeyPair } from "../../net/x25519.js";
import { addressOf } from "../../net/ipv4.js";
import { dialableServers, vpnClientId } from "../../policy/contributors/vpn-server.js";
import type { LabComponent, LabContext } from "../context.js";
import { sleep } from "../runtime/exec.js";
import { ROUTER, uplinkSide } from "./upstream.js";
import { labKeys, startDevice, waitReady, wgSet, wgShow, type WgDevice } from "./wireguard.js";

const STATE = "vpn-clients.lab";
/** Clients per server: the addresses of one lab /28 after the router's. */
const MAX_CLIENTS = 13;
const CLIENT_IF = "wg0";
const KEEPALIVE = 25;
const HANDSHAKE_WAIT_MS = 15_000;

interface Client {
  readonly host: HostIR;
  readonly server: VpnServerIR;
  readonly client: VpnClientIR;
  readonly id: string;
  readonly ns: string;
  /** The server's uplink address and listen port (for a DHCP uplink: once the lease is known). */
  endpoint?: string;
  readonly key: KeyPair;
  readonly serverKey: KeyPair;
  device?: WgDevice;
}

export const vpnClientsComponent: LabComponent = {
  name: "vpn-clients",

  wire(ctx: LabContext) {
    const keys = labKeys(ctx);
    const router = ctx.shared.get(ROUTER) as string | undefined;
    if (!keys || !router) return;
    const clients: Client[] = [];
    let link = 0;
    for (const h of ctx.hosts) {
      const side = uplinkSide(ctx, h);
      for (const v of dialableServers(h)) {
        const serverKey = keys.own(h.name, v.name);
        if (!side?.gateway || !serverKey) continue;
        const uplinkIp = h.uplink.dhcp ? undefined : addressOf(h.uplink.address!);
        const block = ctx.addresses.block(`vpn-clients:${h.name}.${v.name}`);
        const seg = ctx.segment(`vpn:${h.name}.${v.name}`);
        const routerIf = `v${link++}`;
        ctx.plug(seg, { ns: router, name: routerIf });
        ctx.run.ip(router, ["addr", "add", block.hostCidr(1), "dev", routerIf]);
        const standing = v.clients.slice(0, MAX_CLIENTS);
        if (standing.length < v.clients.length) {
          ctx.note(`vpn-clients: ${h.name}'s ${v.name} has ${v.clients.length} clients; the lab stands up the first ${MAX_CLIENTS} (${v.clients.slice(MAX_CLIENTS).map((c) => c.name).join(", ")} not probed)`);
        }
        standing.forEach((c, k) => {
          const ns = ctx.run.ns(`vpn-${h.name}-${v.name}-${c.name}`);
          ctx.plug(seg, { ns, name: "eth0" });
          ctx.run.ip(ns, ["addr", "add", block.hostCidr(k + 2), "dev", "eth0"]);
          // Only the server's own address goes by the link (a lease: the DHCP block); everything else by the tunnel (start).
          ctx.run.ip(ns, ["route", "add", uplinkIp ? `${uplinkIp}/32` : side.subnet, "via", block.host(1)]);
          const id = vpnClientId(h.name, v.name, c.name);
          clients.push({ host: h, server: v, client: c, id, ns, ...(uplinkIp ? { endpoint: `${uplinkIp}:${v.listenPort}` } : {}), key: keys.forPublic(c.publicKey), serverKey });
          ctx.endpoint({ id, ns, address: () => c.address });
          ctx.note(`${id}: ${ns} at ${block.host(k + 2)}, dialling ${h.name}'s ${v.name} at ${uplinkIp ?? "its DHCP lease"}:${v.listenPort}, ${c.address} through the tunnel`);
        });
      }
    }
    ctx.shared.set(STATE, clients);
  },

  async start(ctx: LabContext) {
    const clients = (ctx.shared.get(STATE) as Client[] | undefined) ?? [];
    for (const c of clients) {
      c.device = startDevice(ctx.run, c.ns, `vpn-${c.host.name}-${c.server.name}-${c.client.name}`, CLIENT_IF, {
        privateKeyFile: "/run/topo-lab-wg/client.key",
        key: c.key,
        peers: [{ publicKey: c.serverKey.publicKey, allowedIPs: ["0.0.0.0/0"], ...(c.endpoint ? { endpoint: c.endpoint } : {}), keepalive: KEEPALIVE }],
      });
    }
    await Promise.all(clients.map((c) => waitReady(c.device!)));
    for (const c of clients) {
      ctx.run.ip(c.ns, ["addr", "add", `${c.client.address}/32`, "dev", CLIENT_IF]);
      ctx.run.ip(c.ns, ["link", "set", CLIENT_IF, "up"]);
      ctx.run.ip(c.ns, ["route", "add", "default", "dev", CLIENT_IF]);
    }
  },

  async judge(ctx: LabContext) {
    const clients = (ctx.shared.get(STATE) as Client[] | undefined) ?? [];
    // A server on a DHCP uplink: dial the host's lease, now that networkd has settled.
    for (const c of clients) {
      if (c.endpoint) continue;
      const lease = ctx.endpoints.get(c.host.name)?.address();
      if (!lease) {
        ctx.note(`vpn-clients: ${c.host.name} has no lease on ${c.host.uplink.interface}: ${c.id} dials nothing`);
        continue;
      }
      c.endpoint = `${lease}:${c.server.listenPort}`;
      wgSet(c.device!, ["peer", c.serverKey.publicKey, "endpoint", c.endpoint]);
      ctx.note(`vpn-clients: ${c.id} dials ${c.host.name}'s lease, ${c.endpoint}`);
    }
    const t0 = Date.now();
    const pending = new Set(clients);
    while (pending.size && Date.now() - t0 < HANDSHAKE_WAIT_MS) {
      for (const c of pending) {
        if (/\t[1-9]\d*$/m.test(wgShow(c.device!, "latest-handshakes"))) {
          pending.delete(c);
          ctx.note(`vpn-clients: ${c.id} has a handshake with ${c.host.name}'s ${c.server.name}`);
        } else {
          // A packet for the tunnel starts a handshake if none is under way (the first may have
          // gone out before the host's uplink had its address).
          ctx.run.tryExec(c.ns, ["ping", "-n", "-c", "1", "-W", "1", addressOf(c.server.address)], { timeoutMs: 3000 });
        }
      }
      if (pending.size) await sleep(200);
    }
    for (const c of pending) {
      ctx.finding({
        component: "vpn-clients",
        host: c.host.name,
        file: `hosts/${c.host.name}/network.nix`,
        severity: "error",
        message: `${c.client.name} completes no handshake with ${c.server.name} at ${c.endpoint ?? "its host's DHCP lease"} (the server, its port on the uplink or its peer entry for ${c.client.name} is wrong)`,
      });
    }
  },
};
