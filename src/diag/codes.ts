/**
 * The registry of diagnostic codes. Codes are stable: tests, scripts and `topo explain` use them.
 * 1xxx loading, 2xxx schema, 3xxx references and cross-object rules, 4xxx target limits,
 * 9xxx internal.
 */
export interface CodeInfo {
  readonly title: string;
  readonly explanation: string;
}

export const CODES = {
  TOPO1001: {
    title: "topology file could not be loaded",
    explanation: "The file threw while it was run, or has a syntax error. Fix the file so that `node` could import it.",
  },
  TOPO1002: {
    title: "topology file has no default export",
    explanation: "topology.ts must `export default defineTopology({...})`.",
  },
  TOPO1003: {
    title: "topology file not found",
    explanation: "The path given to topo does not exist.",
  },
  TOPO1004: {
    title: "TypeScript type error",
    explanation: "`--typecheck` ran the TypeScript checker over the topology file and it reported an error.",
  },
  TOPO2001: {
    title: "schema violation",
    explanation: "A value does not have the shape or type the topology model expects. The message says what was expected.",
  },
  TOPO2002: {
    title: "unknown field",
    explanation: "The object has a field the model does not know. It is most often a typo; the hint suggests the closest field.",
  },
  TOPO3001: {
    title: "unknown reference",
    explanation: "A name refers to an object (bridge, container, host, VM, port) that is not declared.",
  },
  TOPO3002: {
    title: "duplicate address",
    explanation: "Two objects on the same host or network claim the same address.",
  },
  TOPO3003: {
    title: "overlapping subnets",
    explanation: "Two subnets on one host overlap, so routing between them would be ambiguous.",
  },
  TOPO3004: {
    title: "duplicate id",
    explanation: "Two objects share an id (container id, interface name) that must be unique.",
  },
  TOPO3005: {
    title: "address outside its subnet",
    explanation: "An address or gateway is not inside the subnet of the bridge or network it belongs to.",
  },
  TOPO3006: {
    title: "conflicting settings",
    explanation: "Two settings of one object cannot both hold (for example a static address and DHCP on one uplink).",
  },
  TOPO3007: {
    title: "expectation contradicts the policy",
    explanation: "A reachability expectation says the opposite of what the topology's policy allows.",
  },
  TOPO3008: {
    title: "invalid key material",
    explanation: "A WireGuard key is malformed, used twice, or missing where it is needed.",
  },
  TOPO3009: {
    title: "invalid chain",
    explanation: "A chain has an unknown hop, a loop, or hops on different bridges.",
  },
  TOPO3010: {
    title: "VM network cannot be allocated",
    explanation:
      "A VM's network number does not fit the VM network's pool, the pool has no free subnet left, or a pinned number is already another VM's in topo.lock.json. Allocations in the lock never move on their own: pin another number, enlarge the pool, or remove the VM's lock entry on purpose.",
  },
  TOPO3051: {
    title: "missing WireGuard key",
    explanation:
      "A WireGuard interface needs a public key that neither the topology nor topo.lock.json has. Run `topo keys` to create the missing key pairs (private keys go to secrets/, public keys to topo.lock.json), then compile again.",
  },
  TOPO3052: {
    title: "overlapping allowed-ips",
    explanation:
      "Two peers of one WireGuard interface claim overlapping addresses (overlay addresses, published subnets, client addresses). WireGuard routes by allowed-ips, so one of them would silently lose its traffic.",
  },
  TOPO3053: {
    title: "mesh peers cannot reach each other",
    explanation:
      "A WireGuard peer can only be dialled at an endpoint. A hub needs one; in a full mesh every pair needs at least one; a member behind NAT must send keepalives or its peers lose the way back.",
  },
  TOPO3054: {
    title: "invalid tunnel use",
    explanation:
      "A tunnel's `usedBy` or a service's `exitVia` names something that cannot exit through that tunnel: an unknown container or service, a host that shares no mesh with the tunnel's host, a source that would need two exits, or a container kept in the tunnel by its source address alone (role \"privacy\" or a chain binds it to its Open vSwitch port).",
  },
  TOPO3011: {
    title: "invalid OpenFlow rule",
    explanation:
      "A flow or flow policy cannot be written as OpenFlow: a port match (tp_src/tp_dst) without proto tcp or udp, `drop` together with other actions, a `goto` that is not last or goes backwards, two flows with the same table, priority and match (the second would silently replace the first), or an address match with host bits set (`10.0.0.200/24`: OVS masks them away and matches the whole network; write the address or the network).",
  },
  TOPO3012: {
    title: "policies that cannot be composed safely",
    explanation:
      "Every concept on a host (firewall, VM network, containers and roles, chains, mesh, tunnels, VPN servers) contributes to one composed policy per host. Where two of them meet in a way topo cannot enforce without silently dropping what one allows or silently opening what another forbids, compile stops here. The message names both sides; change one of them.",
  },
  TOPO4001: {
    title: "interface name too long",
    explanation: "Linux interface names are at most 15 bytes (IFNAMSIZ is 16 with the trailing NUL). Shorten the name.",
  },
  TOPO4002: {
    title: "value not accepted by NixOS",
    explanation: "The generated option or key would be rejected by NixOS's option checks (whitelisted systemd keys, enum values).",
  },
  TOPO4003: {
    title: "name too long for NixOS containers",
    explanation: "NixOS containers need names of at most 11 characters without '_' so that ve-<name>/vb-<name> stay within 15.",
  },
  TOPO4004: {
    title: "hypervisor does not support the interface",
    explanation: "microvm.nix throws at evaluation for an interface type its runner for that hypervisor does not implement (firecracker and alioth: tap only; cloud-hypervisor: tap and macvtap; ...). Pick a hypervisor that supports the VM's network interface.",
  },
  TOPO4005: {
    title: "OpenFlow port number out of range or taken",
    explanation:
      "Every port of an OVS bridge gets an OpenFlow port number (a container's defaults to its id); numbers are 1 to 65279 and unique per bridge. Set `ofport` on the container or port.",
  },
  TOPO4006: {
    title: "fleet too large for one NixOS reachability test",
    explanation:
      "The NixOS test framework numbers VLANs and machines up to 255 (QEMU's NIC MACs carry both in a byte; nixpkgs' qemu-common.nix throws beyond, and the nspawn backend addresses each VLAN's bridge 192.168.<vlan>.254). The reachability test needs a VLAN per uplink subnet and per guest, and a machine per host and guest: past 255, checks/ gets no reachability test (nix flake check still checks every host's nftables) and `topo verify` probes the fleet instead.",
  },
  TOPO9001: {
    title: "internal error",
    explanation: "topo failed in a way it did not expect. Please report it with the topology that triggers it.",
  },
  TOPO9002: {
    title: "refusing to overwrite a file topo did not generate",
    explanation: "A file on a generated path exists but has no topo header and is not in the manifest. Move it away or rename it.",
  },
  TOPO9003: {
    title: "could not write the generated tree",
    explanation: "Writing a file failed (permissions, a file where a directory should be, a full disk). Nothing was renamed into place: the previous tree is intact.",
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
