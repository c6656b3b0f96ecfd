/**
 * boot.kernel.sysctl from the generated files, applied in the host's namespace as systemd-sysctl
 * applies it at boot (before networkd). Only `net.*` keys are per network namespace; any other key
 * would change the machine running the lab, so it is listed and not applied.
 */
import type { LabComponent, LabContext } from "../context.js";
import { at, isObject } from "../generated/tree.js";

export const sysctlComponent: LabComponent = {
  name: "sysctl",
  requires: () => [{ program: "sysctl", debian: "procps", for: "applying the generated sysctls" }],
  configure(ctx: LabContext) {
    for (const h of ctx.hosts) {
      const sysctl = at(ctx.generated.get(h.name)!.config, "boot.kernel.sysctl");
      if (!isObject(sysctl)) continue;
      for (const key of Object.keys(sysctl).sort()) {
        const v = sysctl[key];
        const value = v === true ? "1" : v === false ? "0" : String(v);
        if (!key.startsWith("net.")) {
          ctx.note(`sysctl ${key} of ${h.name} is not per namespace: not applied in the lab`);
          continue;
        }
        const r = ctx.run.tryExec(ctx.hostNs(h.name), ["sysctl", "-q", "-w", `${key}=${value}`]);
        if (r.status !== 0) {
          ctx.finding({ component: "sysctl", host: h.name, file: `hosts/${h.name}/system.nix`, severity: "error", message: `sysctl ${key}=${value}: ${r.stderr.trim()}` });
        }
      }
    }
  },
};
