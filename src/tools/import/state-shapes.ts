/**
 * The op-dbus `state.json` shapes the seeds show, typed with zod (loose: keys the importer does not
 * know are kept, so the report can name them). Two generations of the format appear in the seeds:
 * plugins at the top level (`{ "lxc": ..., "openflow": ... }`, the profile examples and the NixOS
 * `services.op-dbus.stateConfig`) and `{ "version": 1, "plugins": { ... } }`.
 *
 * zod rather than a JSON Schema plus json-schema-to-typescript: the importer needs the types *and*
 * a runtime check of a file nobody promised is well-formed, and zod gives both from one definition
 * without a generated file to keep in sync.
 */
import { z } from "zod";

const Id = z.union([z.number().int(), z.string().regex(/^[0-9]+$/)]);

export const LxcNetwork = z.looseObject({
  bridge: z.string().optional(),
  veth: z.boolean().optional(),
  socket_networking: z.boolean().optional(),
  wg_tunnel: z.boolean().optional(),
  port_name: z.string().optional(),
  ipv4: z.string().optional(),
  public_ip: z.string().optional(),
});

export const LxcService = z.looseObject({ name: z.string(), protocol: z.string(), port: z.number().int() });

export const LxcProperties = z.looseObject({
  name: z.string().optional(),
  ipv4_address: z.string().optional(),
  gateway: z.string().optional(),
  template: z.string().optional(),
  network_type: z.string().optional(),
  services: z.array(LxcService).optional(),
});

export const LxcContainer = z.looseObject({
  id: Id,
  name: z.string().optional(),
  /** The socket-network form names the host-side veth directly. */
  veth: z.union([z.string(), z.boolean()]).optional(),
  bridge: z.string().optional(),
  network: LxcNetwork.optional(),
  /** Profile form: service names (`wireguard`, `xray`, `wg-quick@wg-warp`). */
  services: z.array(z.string()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  properties: LxcProperties.optional(),
});

export const Lxc = z.looseObject({
  container_profile: z.string().optional(),
  containers: z.array(LxcContainer).optional(),
});

export const FlowPolicyAction = z.looseObject({ type: z.string(), port: z.string().optional() });

export const OpenflowPolicy = z.looseObject({
  name: z.string(),
  selector: z.string(),
  template: z.looseObject({
    table: z.number().int().optional(),
    priority: z.number().int().optional(),
    actions: z.array(FlowPolicyAction),
  }),
});

export const SocketPort = z.looseObject({ name: z.string(), container_id: Id.optional() });

export const OpenflowBridge = z.looseObject({
  name: z.string().optional(),
  /** ovs-ofctl flow strings, e.g. "priority=100,in_port=veth100,actions=output:warp0". */
  flows: z.array(z.string()).optional(),
  socket_ports: z.array(SocketPort).optional(),
});

export const Openflow = z.looseObject({
  /** A list of named bridges (profiles) or a record keyed by bridge name (socket network). */
  bridges: z.union([z.array(OpenflowBridge), z.record(z.string(), OpenflowBridge)]).optional(),
  flow_policies: z.array(OpenflowPolicy).optional(),
});

export const Netmaker = z.looseObject({
  mode: z.string().optional(),
  network: z.string().optional(),
  interface: z.string().optional(),
  server: z.string().optional(),
});

export const WgTunnel = z.looseObject({
  interface: z.string(),
  enabled: z.boolean().optional(),
  post_up: z.string().optional(),
  pre_down: z.string().optional(),
});

export const WgServer = z.looseObject({
  interface: z.string(),
  listen_port: z.number().int().optional(),
  ip_pool: z.string().optional(),
});

export const Wireguard = z.looseObject({ warp_tunnel: WgTunnel.optional(), vpn_server: WgServer.optional() });

export const Networking = z.looseObject({
  ip_forward: z.boolean().optional(),
  /** Destination CIDR -> `via` (an interface name or a next-hop address) and metric. */
  routes: z.record(z.string(), z.looseObject({ via: z.string(), metric: z.number().int().optional() })).optional(),
});

export const Plugins = z.looseObject({
  lxc: Lxc.optional(),
  openflow: Openflow.optional(),
  netmaker: Netmaker.optional(),
  wireguard: Wireguard.optional(),
  networking: Networking.optional(),
});

export type LxcContainerState = z.infer<typeof LxcContainer>;
export type PluginsState = z.infer<typeof Plugins>;
export type OpenflowBridgeState = z.infer<typeof OpenflowBridge>;
