/**
 * lower/microvm: the hypervisor's microvm.nix wiring, `microvm.vms.<vm>` with a fully declarative
 * guest `config` (evaluated by microvm.nix with the guest module already imported). The guest gets
 * its hypervisor and resources, one TAP interface (the id the host's networkd enslaves, the MAC
 * from topo.lock.json), and its own networkd unit matched by that MAC: static address, gateway and
 * DNS. Plain data; the host imports `microvm.nixosModules.host` through the flake.
 */
import type { HostIR, TopologyIR, VmIR, VmNetworkIR } from "../../ir/types.js";
import { commented, type NixAttrs } from "../../render/nix.js";
import { originComment } from "../../ir/origin.js";
import type { ModuleView } from "../../render/views.js";

export const MICROVM_HOST_MODULE = "microvm.nixosModules.host";

export function lowerMicrovms(ir: TopologyIR, host: HostIR): ModuleView | undefined {
  const net = host.vmNetwork;
  if (!net || net.vms.length === 0) return undefined;
  const vms: Record<string, NixAttrs | ReturnType<typeof commented>> = {};
  for (const vm of net.vms) vms[vm.name] = commented(originComment(vm.origin, ir.source), { autostart: true, config: guestConfig(net, vm, host.stateVersion) });
  return { file: "microvms.nix", summary: "microvm.nix guests of this hypervisor (declarative config: resources, TAP, static networkd).", value: { microvm: { vms: vms as NixAttrs } } };
}

function guestConfig(net: VmNetworkIR, vm: VmIR, stateVersion: string): NixAttrs {
  // The guest's own firewall (NixOS default: on) must let in what the host lets through to it.
  const inbound = net.exceptions.filter((e) => e.to === vm.name);
  const tcp = [...new Set([net.sshPort, ...inbound.filter((e) => e.proto === "tcp").map((e) => e.port)])].sort((a, b) => a - b);
  const udp = [...new Set(inbound.filter((e) => e.proto === "udp").map((e) => e.port))].sort((a, b) => a - b);
  return {
    microvm: {
      hypervisor: vm.hypervisor,
      vcpu: vm.vcpu,
      mem: vm.memory,
      interfaces: [{ type: "tap", id: vm.tap, mac: vm.mac }],
      // firecracker cannot run without a control socket.
      ...(vm.hypervisor === "firecracker" ? { socket: `${vm.name}.sock` } : {}),
    },
    networking: {
      useNetworkd: true,
      useDHCP: false,
      firewall: { allowedTCPPorts: tcp, ...(udp.length ? { allowedUDPPorts: udp } : {}) },
    },
    systemd: {
      network: {
        enable: true,
        networks: {
          "10-uplink": {
            matchConfig: { MACAddress: vm.mac },
            address: [vm.guestAddress],
            routes: [{ Gateway: vm.gateway }],
            dns: [...net.dns],
            networkConfig: { DHCP: "no" },
            linkConfig: { RequiredForOnline: "routable" },
          },
        },
      },
    },
    system: { stateVersion },
  };
}
