/**
 * Interface names of a VM on its hypervisor: the bridge `br-<vm>` and the TAP `vm-<vm>`.
 * Linux allows 15 characters (IFNAMSIZ 16 with the NUL); a longer name keeps a readable prefix of
 * the VM's name and ends in a short hash of the VM's logical path, never a counter, so a name
 * depends on nothing but the VM itself and adding or removing others never renames it.
 */
import { createHash } from "node:crypto";

export const IFNAME_LIMIT = 15;
const HASH_CHARS = 6;

/** The logical path that names a VM: stable across reordering, unique in the fleet. */
export function vmLogicalPath(host: string, vm: string): string {
  return `hosts.${host}.vmNetwork.vms.${vm}`;
}

/** `<prefix><name>`, or `<prefix><start of name>-<hash>` when that would exceed 15 characters. */
export function boundedIfName(prefix: string, name: string, logicalPath: string): string {
  const full = prefix + name;
  if (full.length <= IFNAME_LIMIT) return full;
  const hash = createHash("sha256").update(logicalPath).digest("hex").slice(0, HASH_CHARS);
  const keep = IFNAME_LIMIT - prefix.length - 1 - HASH_CHARS;
  return `${prefix}${name.slice(0, keep).replace(/[-_.]+$/, "")}-${hash}`;
}

export function vmBridgeName(host: string, vm: string): string {
  return boundedIfName("br-", vm, vmLogicalPath(host, vm));
}

export function vmTapName(host: string, vm: string): string {
  return boundedIfName("vm-", vm, vmLogicalPath(host, vm));
}
