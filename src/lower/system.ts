/**
 * lower/system: the host's identity and kernel settings.
 */
import type { HostIR, TopologyIR } from "../ir/types.js";
import { commented, type NixAttrs } from "../render/nix.js";
import { originComment } from "../ir/origin.js";
import type { ModuleView } from "../render/views.js";

export function lowerSystem(ir: TopologyIR, host: HostIR): ModuleView {
  const sysctl: Record<string, boolean> = {};
  // The sysctl, not only networkd's IPv4Forwarding=: before nixpkgs PR #509648 a `switch` could
  // run systemd-sysctl after networkd and turn forwarding back off. Each key is defined once
  // (boot.kernel.sysctl merges with mergeOneOption).
  if (host.forwarding.ipv4) sysctl["net.ipv4.conf.all.forwarding"] = true;
  if (host.forwarding.ipv6) sysctl["net.ipv6.conf.all.forwarding"] = true;
  const value: NixAttrs = {
    networking: { hostName: commented(originComment(host.origin, ir.source), host.name) },
    nixpkgs: { hostPlatform: host.system },
    system: { stateVersion: host.stateVersion },
    ...(Object.keys(sysctl).length ? { boot: { kernel: { sysctl: commented(`${host.origin.path}.forwarding`, sysctl) } } } : {}),
  };
  return { file: "system.nix", summary: "Host identity, platform, state version and forwarding sysctls.", value };
}
