/**
 * The generated nftables tables (networking.nftables.tables), each wrapped as NixOS wraps it
 * (`table <family> <name> { <content> }`) and loaded with `nft -f` into the host's namespace.
 * nft is a judge: a table it refuses fails the run with nft's own message.
 */
import type { LabComponent, LabContext } from "../context.js";
import { at, isObject } from "../generated/tree.js";
import { wrapTable } from "../../render/nft.js";

export const nftablesComponent: LabComponent = {
  name: "nftables",
  requires: () => [{ program: "nft", debian: "nftables", for: "loading the generated rulesets" }],
  configure(ctx: LabContext) {
    for (const h of ctx.hosts) {
      const config = ctx.generated.get(h.name)!.config;
      if (at(config, "networking.firewall.enable") === true) {
        ctx.finding({ component: "nftables", host: h.name, severity: "error", message: "networking.firewall.enable is true: the lab emulates only topo's own tables, not the stock NixOS firewall" });
      }
      const ruleset = at(config, "networking.nftables.ruleset");
      if (typeof ruleset === "string" && ruleset.trim()) {
        ctx.finding({ component: "nftables", host: h.name, severity: "error", message: "networking.nftables.ruleset is set: the lab loads only networking.nftables.tables" });
      }
      const tables = at(config, "networking.nftables.tables");
      if (!isObject(tables)) continue;
      for (const attr of Object.keys(tables).sort()) {
        const t = tables[attr];
        if (!isObject(t) || t.enable === false) continue;
        const name = typeof t.name === "string" ? t.name : attr;
        const family = String(t.family) as "inet" | "ip" | "ip6";
        const text = wrapTable({ family, name }, typeof t.content === "string" ? t.content : "");
        const file = ctx.run.file(`hosts/${h.name}/nftables/${name}.nft`, text);
        const r = ctx.run.tryExec(ctx.hostNs(h.name), ["nft", "-f", file]);
        if (r.status !== 0) {
          ctx.finding({ component: "nftables", host: h.name, file: `hosts/${h.name}/nftables/${name}.nft`, severity: "error", message: `nft refused table ${family} ${name}: ${r.stderr.trim()}` });
        } else ctx.note(`nftables@${h.name}: table ${family} ${name} loaded`);
      }
    }
  },
};
