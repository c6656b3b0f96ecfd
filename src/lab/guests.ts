/**
 * Guests (containers, microVMs) for components: a namespace on a veth pair whose host end is named
 * as the generated TAP/veth (`vm-vm1`, `veth100`), so the host's generated units and rulesets match
 * it by name. The host end is left down: the host's networkd brings it up when a generated unit
 * claims it (as a bridge port), exactly as it would the real TAP.
 */
import type { LabContext } from "./context.js";

export interface GuestSpec {
  /** The host the guest hangs off. */
  readonly host: string;
  /** The intent endpoint id, e.g. `hv1.vm1` or `oo1424oo.gateway`. */
  readonly id: string;
  /** The host-side interface name, as the generated files name the TAP or veth. */
  readonly hostIf: string;
  /** Guest address with prefix ("10.1.0.2/24"); omit when the guest configures itself (its own networkd). */
  readonly address?: string;
  /** Default gateway of the guest. */
  readonly gateway?: string;
  /** Interface name inside the guest (default eth0). */
  readonly guestIf?: string;
}

/** Create the guest namespace and its link, register its endpoint; returns the namespace. */
export function attachGuest(ctx: LabContext, g: GuestSpec): string {
  const ns = ctx.run.ns(`g-${g.id.replace(/[^A-Za-z0-9_.-]/g, "_")}`);
  const guestIf = g.guestIf ?? "eth0";
  ctx.run.veth({ ns: ctx.hostNs(g.host), name: g.hostIf }, { ns, name: guestIf }, { aUp: false });
  if (g.address) ctx.run.ip(ns, ["addr", "add", g.address, "dev", guestIf]);
  if (g.gateway) ctx.run.ip(ns, ["route", "add", "default", "via", g.gateway]);
  const addr = g.address?.split("/")[0];
  ctx.endpoint({ id: g.id, ns, address: () => addr });
  ctx.note(`${g.id}: ${ns}${addr ? ` at ${addr}` : ""}, on ${g.hostIf} of ${g.host}`);
  return ns;
}

/** Does an interface of that name already exist in the namespace (created by another component)? */
export function hasLink(ctx: LabContext, ns: string, ifname: string): boolean {
  return ctx.run.tryExec(ns, ["ip", "link", "show", "dev", ifname]).status === 0;
}
