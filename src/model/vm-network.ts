import { z } from "zod";
import { IPv4, IPv4Cidr, Ident, IfName, Port, Proto, Text } from "./common.js";

/**
 * Interface types each microvm.nix runner implements (lib/runners/*.nix; reference §7.3). Any
 * other combination throws at evaluation ("Unsupported interface type"). topo gives every VM one
 * `tap` interface.
 */
export const HYPERVISOR_INTERFACES = {
  qemu: ["user", "tap", "macvtap", "bridge"],
  "cloud-hypervisor": ["tap", "macvtap"],
  firecracker: ["tap"],
  crosvm: ["tap", "macvtap"],
  kvmtool: ["user", "tap", "macvtap"],
  stratovirt: ["user", "tap", "macvtap", "bridge"],
  alioth: ["tap"],
} as const satisfies Record<string, readonly ("user" | "tap" | "macvtap" | "bridge")[]>;

export const Vm = z
  .object({
    description: Text.optional(),
    vcpu: z.number().int().min(1).max(512).default(1).describe("Virtual CPUs (default 1)."),
    memory: z.number().int().min(32).default(512).describe("Memory in MiB (default 512)."),
    hypervisor: z
      .enum(Object.keys(HYPERVISOR_INTERFACES) as [keyof typeof HYPERVISOR_INTERFACES, ...(keyof typeof HYPERVISOR_INTERFACES)[]])
      .default("cloud-hypervisor")
      .describe("microvm.nix hypervisor (default cloud-hypervisor)."),
    index: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "Pin the VM's network number: VM N gets the N-th subnet of the pool (10.N.0.0/24 with the defaults). Allocated (lowest free number) and kept in topo.lock.json when omitted.",
      ),
  })
  .strict()
  .describe("A microVM with its own bridge, TAP and subnet.");

export const VmException = z
  .object({
    from: Ident.describe("Source VM."),
    to: Ident.describe("Destination VM."),
    proto: Proto,
    port: Port,
    comment: Text.optional(),
  })
  .strict()
  .describe("An explicit exception to VM isolation.");

export const VmNetwork = z
  .object({
    pool: IPv4Cidr.default("10.0.0.0/8").describe(
      "Address pool VM subnets are carved from (default 10.0.0.0/8). VM N takes the N-th slot, 8 bits below the pool's prefix when the subnet fits (10.0.0.0/8 with /24: VM N is 10.N.0.0/24), and uses its first subnet: bridge .1, guest .2.",
    ),
    prefixLength: z.number().int().min(16).max(30).default(24).describe("Prefix length of each VM subnet (default 24)."),
    uplink: IfName.optional().describe("Interface VMs reach the internet through (default the host uplink)."),
    adminInterface: IfName.optional().describe("Interface administrators come in on (e.g. tailscale0); it may reach every VM."),
    metadata: z
      .object({ address: IPv4, port: Port.default(80).describe("Its port (default 80).") })
      .strict()
      .optional()
      .describe("Cloud metadata service reached from VMs through DNAT and masquerade."),
    dns: z.array(IPv4).default(["1.1.1.1", "8.8.8.8"]).describe("DNS servers the guests use (default 1.1.1.1, 8.8.8.8)."),
    sshPort: Port.default(22).describe("SSH port administrators reach the VMs on, over the admin interface (default 22). It opens nothing on the host: the host's own SSH is firewall.allowedTCPPorts."),
    hostServices: z
      .array(z.object({ proto: Proto, port: Port }).strict())
      .optional()
      .describe("Services of the hypervisor VMs may use (e.g. udp 53)."),
    logDrops: z.boolean().default(true).describe("Log dropped packets, rate-limited (default true)."),
    vms: z.record(Ident, Vm),
    exceptions: z.array(VmException).optional(),
  })
  .strict()
  .describe("A microVM isolation network: per-VM bridge and TAP, isolation matrix, NAT, metadata DNAT.");
