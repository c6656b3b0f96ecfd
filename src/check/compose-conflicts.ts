/**
 * Combinations the composed policy (src/policy/compose/) cannot honour, found on the resolved IR
 * (VM subnets exist only once allocated): where one concept owns an endpoint and drops what
 * another concept states, compile stops here (TOPO3012) instead of generating a silent drop.
 * - A mesh member publishing a network that holds a VM's subnet: VMs take no connection but the
 *   admin's and their exceptions, so the mesh route would lead into the VM network's drop.
 */
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { TopologyIR } from "../ir/types.js";
import { overlaps } from "../net/ipv4.js";

export function composeConflicts(ir: TopologyIR): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const mesh of ir.meshes) {
    for (const m of mesh.members) {
      const net = ir.hosts.find((h) => h.name === m.host)?.vmNetwork;
      if (!net) continue;
      for (const p of m.publishes) {
        const vm = net.vms.find((v) => overlaps(p, v.subnet));
        if (!vm) continue;
        out.push(
          error("TOPO3012", ["meshes", mesh.name, "members", m.host, "publishes"], `${m.host} publishes ${p} to mesh \`${mesh.name}\`, which holds VM ${vm.name}'s subnet ${vm.subnet}; VMs take no connection from a mesh (the VM network owns them)`, {
            hint: `publish a network that leaves out ${vm.subnet}, or reach ${vm.name} through the VM network's adminInterface`,
            related: [{ message: "the VM", path: ["hosts", m.host, "vmNetwork", "vms", vm.name] }],
          }),
        );
      }
    }
  }
  return out;
}
