/**
 * op-dbus networking -> topology: forwarding, and the static routes that leave by an interface the
 * imported topology declares (the others are written commented out).
 */
import { IPv4, IPv4Cidr } from "../../model/common.js";
import { valid, type MapContext } from "./map-context.js";
import { disabled, type TsValue } from "./print-ts.js";
import type { z } from "zod";
import type * as S from "./state-shapes.js";

export function mapRoutes({ t, P }: MapContext, networking: z.output<typeof S.Networking> | undefined, host: Record<string, TsValue>, declared: ReadonlySet<string>): TsValue[] {
  if (networking?.ip_forward !== undefined) {
    host.forwarding = { ipv4: networking.ip_forward };
    t.use(P("networking", "ip_forward"));
  }
  const routes: TsValue[] = [];
  for (const [dest, r] of Object.entries(networking?.routes ?? {})) {
    const rp = P("networking", "routes", dest);
    if (!valid(IPv4Cidr, dest)) {
      t.skip(rp, "the destination is not a.b.c.d/n");
      continue;
    }
    const route: Record<string, TsValue> = { destination: dest };
    if (valid(IPv4, r.via)) route.gateway = r.via;
    else route.interface = r.via;
    if (r.metric !== undefined) route.metric = r.metric;
    if (route.interface !== undefined && !declared.has(r.via)) {
      routes.push(disabled(`not imported: interface ${r.via} is not declared here (is it the Netmaker mesh? declare the mesh, then this route)`, route));
      t.skip(rp, `the route leaves by ${r.via}, which the imported topology does not declare (the Netmaker mesh is not imported)`);
    } else {
      routes.push(route);
      t.use(rp);
    }
  }
  return routes;
}
