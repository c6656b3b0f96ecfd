/**
 * VM-network topologies built in code (one hypervisor, N VMs) and compiled in-process with a given
 * lock, the way `topo compile` does with the topo.lock.json beside the tree.
 */
import { compile, type CompileResult } from "../../src/compile.js";
import type { HostInput, TopologyInput } from "../../src/model/topology.js";

type VmNetworkInput = NonNullable<HostInput["vmNetwork"]>;
type VmInput = VmNetworkInput["vms"][string];

export function hypervisor(vms: Record<string, VmInput> | readonly string[], extra: Partial<VmNetworkInput> = {}, host: Partial<HostInput> = {}): TopologyInput {
  const vmRecord: Record<string, VmInput> = Array.isArray(vms) ? Object.fromEntries((vms as string[]).map((v) => [v, {}])) : (vms as Record<string, VmInput>);
  return {
    name: "vm-lab",
    hosts: {
      hv: {
        system: "x86_64-linux",
        stateVersion: "25.11",
        uplink: { interface: "eth0", address: "203.0.113.5/24", gateway: "203.0.113.1" },
        firewall: { allowedTCPPorts: [22] },
        ...host,
        vmNetwork: {
          adminInterface: "tailscale0",
          metadata: { address: "169.254.169.254", port: 80 },
          dns: ["192.0.2.53"],
          hostServices: [{ proto: "udp", port: 53 }],
          vms: vmRecord,
          ...extra,
        },
      },
    },
  };
}

export function compileValue(value: TopologyInput, lockText?: string): CompileResult {
  const source = JSON.stringify(value, null, 2);
  return compile({ file: "/nonexistent/topology.json", source, value }, { outDir: "/nonexistent", ...(lockText !== undefined ? { lockText } : {}) });
}

export function compiledOk(value: TopologyInput, lockText?: string) {
  const r = compileValue(value, lockText);
  if (!r.ok) throw new Error(`expected to compile:\n${r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")}`);
  return r.compiled;
}

/** Each VM's (index, subnet, guest address, MAC, bridge, TAP), by name. */
export function allocations(value: TopologyInput, lockText?: string) {
  const c = compiledOk(value, lockText);
  const vms = c.ir.hosts[0]!.vmNetwork!.vms;
  return {
    lockText: c.plan.get("topo.lock.json")!,
    byVm: Object.fromEntries(vms.map((v) => [v.name, { index: v.index, subnet: v.subnet, guest: v.guestAddress, mac: v.mac, bridge: v.bridge, tap: v.tap }])),
  };
}

export function vmNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `vm${i + 1}`);
}
