/**
 * op-dbus WireGuard and Netmaker -> topology: the WARP tunnel (commented out: the state lacks its
 * keys and addresses), the VPN server, and the Netmaker mesh (commented out: Netmaker assigns its
 * subnet, port and keys at run time).
 */
import { IfName, IPv4Cidr, Ident } from "../../model/common.js";
import { valid, WHY, type MapContext } from "./map-context.js";
import { commented, disabled, type TsValue } from "./print-ts.js";
import type { z } from "zod";
import type * as S from "./state-shapes.js";

export function mapWireguard({ t, P, hp, hostName, bridge }: MapContext, wireguard: z.output<typeof S.Wireguard> | undefined): { tunnels: TsValue | undefined; vpnServers: Record<string, TsValue> } {
  let tunnels: TsValue | undefined;
  if (wireguard?.warp_tunnel) {
    const w = wireguard.warp_tunnel;
    const wp = P("wireguard", "warp_tunnel");
    const m = /ovs-vsctl\s+add-port\s+(\S+)\s+(\S+)/.exec(w.post_up ?? "");
    const tunnel: Record<string, TsValue> = { endpoint: "<ip:port>", publicKey: "<base64 public key>", address: "<a.b.c.d/32>", allowedIPs: ["0.0.0.0/0"] };
    if (m && m[2] === w.interface && valid(IfName, m[1])) {
      tunnel.bridge = m[1]!;
      // The tunnel device is a port of the bridge today: keep flows that name it valid.
      bridge(m[1]!).ports[w.interface] = commented(`the WARP tunnel device (op-dbus: ${w.post_up}); declare it under tunnels and drop this port`, { type: "system" });
      t.use([...wp, "post_up"]);
      if (w.pre_down !== undefined) t.use([...wp, "pre_down"]);
    }
    tunnels = disabled(`not imported: ${WHY.warp}`, { [w.interface]: tunnel });
    t.skip(wp, WHY.warp);
  }
  const vpnServers: Record<string, TsValue> = {};
  if (wireguard?.vpn_server) {
    const v = wireguard.vpn_server;
    const vp = P("wireguard", "vpn_server");
    if (valid(IfName, v.interface) && v.listen_port !== undefined && v.ip_pool !== undefined && valid(IPv4Cidr, v.ip_pool)) {
      const keyFile = `/run/secrets/topo/${hostName}-${v.interface}.key`;
      vpnServers[v.interface] = {
        listenPort: v.listen_port,
        pool: v.ip_pool,
        privateKeyFile: commented("assumed: where the server's private key is kept; or drop this line and run `topo keys`", keyFile),
      };
      t.assume(`${hp}.vpnServers.${v.interface}.privateKeyFile`, keyFile, "the state holds no key; op-dbus provisions it at run time");
      for (const k of ["interface", "listen_port", "ip_pool"]) t.use([...vp, k]);
      if ("auto_provision" in v) t.skip([...vp, "auto_provision"], WHY.autoProvision);
    } else t.skip(vp, "a VPN server needs an interface, a listen port and an address pool");
  }
  return { tunnels, vpnServers };
}

export function mapNetmaker({ t, P, hostName }: MapContext, netmaker: z.output<typeof S.Netmaker> | undefined): TsValue | undefined {
  let meshes: TsValue | undefined;
  if (netmaker) {
    const server = /^[a-z]+:\/\/([a-z0-9-]+)/.exec(netmaker.server ?? "")?.[1];
    const meshName = netmaker.network && valid(Ident, netmaker.network) ? netmaker.network : "mesh";
    const members: Record<string, TsValue> = { [hostName]: {} };
    if (server && server !== hostName) members[server] = { endpoint: "<ip:port>" };
    meshes = disabled(`not imported: ${WHY.netmaker}`, {
      [meshName]: {
        interface: netmaker.interface ?? "nm0",
        listenPort: 51821,
        subnet: "<overlay subnet>",
        shape: server ? "hub" : "full",
        ...(server ? { hub: server } : {}),
        members,
      },
    });
    t.skip(P("netmaker"), WHY.netmaker);
  }
  return meshes;
}
