/**
 * The whole input: what `defineTopology` takes and `topology.ts` exports by default.
 */
import { z } from "zod";
import { HostName, Ident, Port, ProbeProto, Text } from "./common.js";
import { Host } from "./host.js";
import { Mesh, SecretsBackend } from "./wireguard.js";

/** A reachability expectation, proved by `topo verify` and checked against the policy. */
export const Expectation = z
  .object({
    from: z.string().describe("Endpoint: '<host>', '<host>.<container>' or '<host>.<vm>'."),
    to: z.string().describe("Endpoint: '<host>', '<host>.<container>' or '<host>.<vm>'."),
    proto: ProbeProto,
    port: Port.optional().describe("Destination port (tcp/udp)."),
    reach: z.boolean().describe("true: must reach; false: must not."),
    comment: Text.optional(),
  })
  .strict();

export const Topology = z
  .object({
    $schema: z.string().optional().describe("The JSON Schema an editor checks topology.json against (topology.schema.json); ignored by topo."),
    name: Ident.default("fleet").describe("Name of the fleet (the flake's description; default fleet)."),
    nixpkgs: z
      .string()
      .regex(/^[A-Za-z0-9:/._?=&-]+$/, { message: "a flake reference of letters, digits and :/._?=&-" })
      .default("github:NixOS/nixpkgs/nixos-25.11")
      .describe("The nixpkgs flake input (default github:NixOS/nixpkgs/nixos-25.11)."),
    hosts: z.record(HostName, Host).describe("The fleet's NixOS hosts, by host name."),
    secrets: SecretsBackend.default("path").describe(
      "How WireGuard private keys reach the hosts (default path: topo only names /run/secrets/topo/<host>-<if>.key). sops-nix / agenix: topo declares the secrets too; a host's `secrets` overrides this.",
    ),
    meshes: z.record(Ident, Mesh).optional().describe("WireGuard meshes between hosts, by name."),
    expectations: z.array(Expectation).optional().describe("Reachability the author expects; verify proves each."),
  })
  .strict()
  .describe("A fleet's network, compiled by topo into a NixOS flake.");

export type TopologyInput = z.input<typeof Topology>;
export type TopologyParsed = z.output<typeof Topology>;
export type HostInput = z.input<typeof Host>;
export type HostParsed = z.output<typeof Host>;
export type MeshInput = z.input<typeof Mesh>;
export type ExpectationInput = z.input<typeof Expectation>;
