/**
 * Open vSwitch bridges on NixOS's own `networking.vswitches` (hosts/<host>/vswitches.nix): the
 * bridge, its internal ports, the flows (openflow/<bridge>.flows, loaded atomically by
 * <bridge>-netdev.service) and the fail mode. Ports that appear after boot (a container's veth)
 * are not listed there: NixOS would hold the bridge's service until their device timed out.
 * They go to `topo.ovs.latePorts`, served by the hand-written module ovs-late-ports.nix, which
 * attaches each one when its device appears, with the OpenFlow port number the flows use.
 */
import type { HostIR, OvsBridgeIR, TopologyIR } from "../../ir/types.js";
import { commented, readFile, type NixAttrs } from "../../render/nix.js";
import { printFlowFile } from "../../render/openflow.js";
import { originComment } from "../../ir/origin.js";
import type { GeneratedFile, ModuleView } from "../../render/views.js";
import { bridgeFlowFile, portMap } from "./flows.js";
import { moduleCopy } from "../module-copies.js";

export const OPENFLOW_VERSION = "OpenFlow13";
export const LATE_PORTS_MODULE = "ovs-late-ports.nix";

export function ovsBridges(host: HostIR): OvsBridgeIR[] {
  return host.bridges.filter((b): b is OvsBridgeIR => b.kind === "ovs");
}

export function flowsFile(br: OvsBridgeIR): string {
  return `openflow/${br.name}.flows`;
}

export interface OvsLowered {
  readonly module?: ModuleView;
  readonly files: readonly GeneratedFile[];
  readonly imports: readonly string[];
}

export function lowerOvs(ir: TopologyIR, host: HostIR): OvsLowered {
  const bridges = ovsBridges(host);
  if (!bridges.length) return { files: [], imports: [] };
  const vswitches: Record<string, NixAttrs | ReturnType<typeof commented>> = {};
  const late: Record<string, ReturnType<typeof commented>> = {};
  const files: GeneratedFile[] = [];
  for (const br of bridges) {
    const ports = br.ovs.attachments.filter((a) => (a.kind === "container" || a.kind === "port") && !a.late);
    const interfaces: Record<string, ReturnType<typeof commented>> = {};
    for (const p of ports) {
      // `name` has no default in NixOS (vswitchInterfaceOpts): a reader of it fails without it.
      interfaces[p.name] = commented(originComment(p.origin, ir.source), {
        name: p.name,
        ...(p.type === "internal" ? { type: "internal" } : {}),
        ...(p.vlan !== undefined ? { vlan: p.vlan } : {}),
      });
    }
    // One ovs-vsctl call with the ports: the fail mode and the port numbers the flows name.
    const cmds = [`set-fail-mode ${br.name} ${br.ovs.failMode}`, ...ports.map((p) => `set interface ${p.name} ofport_request=${p.ofport}`)];
    vswitches[br.name] = commented(originComment(br.origin, ir.source), {
      interfaces: interfaces as NixAttrs,
      openFlowRules: readFile(`./${flowsFile(br)}`),
      openFlowVersion: OPENFLOW_VERSION,
      supportedOpenFlowVersions: [OPENFLOW_VERSION],
      extraOvsctlCmds: cmds.join("\n") + "\n",
    });
    for (const a of br.ovs.attachments.filter((x) => x.late)) {
      late[a.name] = commented(originComment(a.origin, ir.source), { bridge: br.name, ofport: a.ofport as number });
    }
    files.push({ path: `hosts/${host.name}/${flowsFile(br)}`, text: printFlowFile(bridgeFlowFile(ir, host, br), portMap(br)) });
  }
  const hasLate = Object.keys(late).length > 0;
  // One copy for the fleet (nixos/ of the tree), imported by every host that has late ports.
  if (hasLate) files.push({ path: `nixos/${LATE_PORTS_MODULE}`, text: moduleCopy(LATE_PORTS_MODULE) });
  const value: NixAttrs = {
    networking: { vswitches: vswitches as NixAttrs },
    ...(hasLate ? { topo: { ovs: { latePorts: late as NixAttrs } } } : {}),
  };
  return {
    module: { file: "vswitches.nix", summary: "Open vSwitch bridges, their ports and OpenFlow rules (networking.vswitches).", value },
    files,
    imports: hasLate ? [`../../nixos/${LATE_PORTS_MODULE}`] : [],
  };
}

