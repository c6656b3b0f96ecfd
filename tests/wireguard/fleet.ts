/**
 * A small fleet for the WireGuard suites: hub `gw` (public), spoke `n1` (public, bridge br0 with a
 * container) and spoke `n2` (behind NAT, bridge br0 with a container), all keys given in the
 * topology so the front end needs no lock. Tests clone and mutate it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair } from "../../src/net/x25519.js";
import { compileFile } from "../helpers/compile.js";

export const KEYS = {
  gw: generateKeyPair(),
  n1: generateKeyPair(),
  n2: generateKeyPair(),
  warp: generateKeyPair(),
  client: generateKeyPair(),
};

const host = (uplink: string, extra: Record<string, unknown> = {}) => ({
  system: "x86_64-linux",
  stateVersion: "25.05",
  uplink: { interface: "eth0", address: uplink, gateway: uplink.replace(/\.\d+\/24$/, ".1") },
  ...extra,
});

export function fleet(): any {
  return {
    name: "wgtest",
    hosts: {
      gw: host("198.51.100.10/24", { services: { socks: { proto: "tcp", port: 1080, exitVia: "n1.warp0" } } }),
      n1: host("203.0.113.10/24", {
        bridges: { br0: { kind: "ovs", address: "10.0.0.1/24" } },
        containers: {
          priv: { id: 100, bridge: "br0", address: "10.0.0.100/24", gateway: "10.0.0.1", role: "privacy" },
          mgmt: { id: 200, bridge: "br0", address: "10.0.0.200/24", gateway: "10.0.0.1" },
        },
        tunnels: {
          warp0: {
            endpoint: "198.51.100.20:2408",
            publicKey: KEYS.warp.publicKey,
            address: "172.16.0.2/32",
            bridge: "br0",
            usedBy: ["priv"],
            privateKeyFile: "/run/keys/warp0.key",
          },
        },
        vpnServers: { wg0: { listenPort: 51820, pool: "10.8.0.0/24", clients: { laptop: { publicKey: KEYS.client.publicKey } }, privateKeyFile: "/run/keys/wg0.key" } },
      }),
      n2: host("203.0.113.20/24", {
        bridges: { br0: { kind: "ovs", address: "10.1.0.1/24" } },
        containers: { db: { id: 103, bridge: "br0", address: "10.1.0.103/24", gateway: "10.1.0.1" } },
      }),
    },
    meshes: {
      mesh: {
        interface: "wgmesh",
        listenPort: 51821,
        subnet: "10.100.0.0/24",
        shape: "hub",
        hub: "gw",
        members: {
          gw: { address: "10.100.0.1", endpoint: "198.51.100.10:51821", publicKey: KEYS.gw.publicKey },
          n1: { endpoint: "203.0.113.10:51821", publishes: ["br0"], publicKey: KEYS.n1.publicKey },
          n2: { behindNat: true, publishes: ["br0"], publicKey: KEYS.n2.publicKey },
        },
      },
    },
  };
}

/** Compile a topology value (written as topology.json into `dir`, next to the lock) as `topo compile` does. */
export async function compileValue(dir: string, value: unknown) {
  const file = join(dir, "topology.json");
  writeFileSync(file, JSON.stringify(value, null, 2));
  return compileFile(file, dir);
}
