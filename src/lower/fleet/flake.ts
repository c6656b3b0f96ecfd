/**
 * The flake: nixosConfigurations and the Colmena hive, one entry per host with the flake-level
 * modules it needs and its own directory.
 */
import { originComment } from "../../ir/origin.js";
import type { TopologyIR } from "../../ir/types.js";
import { nixKey, nixString, path, printNix } from "../../render/nix.js";
import { renderTemplate } from "../../render/templates.js";
import type { HostView } from "../../render/views.js";
import { DEFAULT_COLMENA, deployView } from "./deploy.js";
import { secretsInputs } from "../secrets.js";

export function lowerFlake(ir: TopologyIR, hosts: readonly HostView[]): string {
  const hostIRs = new Map(ir.hosts.map((h) => [h.name, h]));
  return renderTemplate("flake.nix", {
    source: ir.source,
    description: nixString(`${ir.name}: NixOS fleet compiled by topo from ${ir.source}`),
    nixpkgs: nixString(ir.nixpkgs),
    microvm: nixString(ir.microvm),
    colmena: nixString(DEFAULT_COLMENA),
    secretsInputs: secretsInputs(ir).map((i) => ({ name: i.name, url: nixString(i.url) })),
    hosts: hosts.map((h) => {
      const hostIR = hostIRs.get(h.name)!;
      return {
        key: nixKey(h.name),
        comment: originComment(hostIR.origin, ir.source),
        modules: [...h.flakeModules, printNix(path(`./hosts/${h.name}`))],
        deploy: deployView(hostIR),
      };
    }),
  });
}
