/**
 * What each host declares, by name: its interfaces and its addresses, with the path where each was
 * declared. Several rules and the resolver read the same inventory instead of walking the topology
 * each in its own way.
 */
import type { Path } from "../diag/diagnostic.js";
import type { HostParsed, TopologyParsed } from "../model/topology.js";
import { vmBridgeName, vmTapName } from "./vm-names.js";

export type InterfaceKind = "uplink" | "bridge" | "bridge-port" | "container-port" | "tunnel" | "vpn" | "mesh" | "admin" | "ovs-port" | "vm-bridge" | "vm-tap";

export interface InterfaceDecl {
  readonly name: string;
  readonly kind: InterfaceKind;
  readonly path: Path;
}

export interface AddressDecl {
  /** Address with prefix length. */
  readonly cidr: string;
  readonly owner: string;
  readonly path: Path;
}

export function hostEntries(topo: TopologyParsed): [string, HostParsed][] {
  return Object.entries(topo.hosts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every interface a host declares, in declaration order (duplicates included: a rule reports them). */
export function interfacesOf(topo: TopologyParsed, hostName: string): InterfaceDecl[] {
  const host = topo.hosts[hostName]!;
  const base: Path = ["hosts", hostName];
  const out: InterfaceDecl[] = [{ name: host.uplink.interface, kind: "uplink", path: [...base, "uplink", "interface"] }];
  for (const [name, br] of Object.entries(host.bridges ?? {})) {
    out.push({ name, kind: "bridge", path: [...base, "bridges", name] });
    if (br.kind === "linux") {
      (br.ports ?? []).forEach((p, i) => out.push({ name: p, kind: "bridge-port", path: [...base, "bridges", name, "ports", i] }));
    } else {
      for (const p of Object.keys(br.ports ?? {})) out.push({ name: p, kind: "ovs-port", path: [...base, "bridges", name, "ports", p] });
    }
  }
  for (const [name, c] of Object.entries(host.containers ?? {})) {
    out.push({ name: c.port ?? `veth${c.id}`, kind: "container-port", path: [...base, "containers", name, c.port ? "port" : "id"] });
  }
  for (const name of Object.keys(host.tunnels ?? {})) out.push({ name, kind: "tunnel", path: [...base, "tunnels", name] });
  for (const name of Object.keys(host.vpnServers ?? {})) out.push({ name, kind: "vpn", path: [...base, "vpnServers", name] });
  for (const [meshName, mesh] of Object.entries(topo.meshes ?? {})) {
    if (mesh.members[hostName]) out.push({ name: mesh.interface, kind: "mesh", path: ["meshes", meshName, "interface"] });
  }
  for (const vm of Object.keys(host.vmNetwork?.vms ?? {})) {
    const path = [...base, "vmNetwork", "vms", vm];
    out.push({ name: vmBridgeName(hostName, vm), kind: "vm-bridge", path }, { name: vmTapName(hostName, vm), kind: "vm-tap", path });
  }
  if (host.vmNetwork?.adminInterface) {
    out.push({ name: host.vmNetwork.adminInterface, kind: "admin", path: [...base, "vmNetwork", "adminInterface"] });
  }
  return out;
}

/** Addresses a host holds or hands out on its own segments. */
export function addressesOf(topo: TopologyParsed, hostName: string): AddressDecl[] {
  const host = topo.hosts[hostName]!;
  const base: Path = ["hosts", hostName];
  const out: AddressDecl[] = [];
  if (host.uplink.address) out.push({ cidr: host.uplink.address, owner: `uplink ${host.uplink.interface}`, path: [...base, "uplink", "address"] });
  for (const [name, br] of Object.entries(host.bridges ?? {})) {
    if (br.address) out.push({ cidr: br.address, owner: `bridge ${name}`, path: [...base, "bridges", name, "address"] });
  }
  for (const [name, c] of Object.entries(host.containers ?? {})) {
    out.push({ cidr: c.address, owner: `container ${name}`, path: [...base, "containers", name, "address"] });
  }
  for (const [name, t] of Object.entries(host.tunnels ?? {})) {
    out.push({ cidr: t.address, owner: `tunnel ${name}`, path: [...base, "tunnels", name, "address"] });
  }
  return out;
}
