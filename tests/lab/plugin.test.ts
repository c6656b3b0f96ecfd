/**
 * The plug-in interface, used the way a later component (microVMs, containers) will: a component
 * attaches a guest on a veth named as the generated bridge port, before host-basics wires the rest;
 * the host's real networkd enslaves it by its generated unit and nft filters it by its generated
 * table. Driven through the lab API directly (bringUp + probes), not through verify.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { COMPONENTS } from "../../src/lab/components/index.js";
import { hostBasicsComponent } from "../../src/lab/components/host-basics.js";
import type { LabComponent } from "../../src/lab/context.js";
import { attachGuest } from "../../src/lab/guests.js";
import { bringUp } from "../../src/lab/lab.js";
import { runProbes, startListeners } from "../../src/lab/probe/probes.js";
import { withRun } from "../../src/lab/runtime/run.js";
import { compileOk } from "../helpers/compile.js";
import { LAB_BASICS, leftovers } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { writePlan } from "../helpers/tools.js";

const guestComponent: LabComponent = {
  name: "test-guest",
  wire(ctx) {
    attachGuest(ctx, { host: "office", id: "office.g1", hostIf: "lan0", address: "10.40.0.50/24", gateway: "10.40.0.1" });
  },
};

test("a component's guest on a generated bridge port: enslaved by networkd, filtered by nft", async () => {
  await withTmp(async (dir) => {
    const { ir, plan } = await compileOk(LAB_BASICS, dir);
    writePlan(dir, plan);
    const at = COMPONENTS.indexOf(hostBasicsComponent);
    const components = [...COMPONENTS.slice(0, at), guestComponent, ...COMPONENTS.slice(at)];
    const { result, run } = await withRun(async (labRun) => {
      const ctx = await bringUp(labRun, { ir, tree: dir, host: "office", components });
      assert.equal(ctx.findings.filter((f) => f.severity === "error"), []);
      assert.ok(ctx.endpoints.has("office.g1"));
      assert.not.ok(ctx.endpoints.has("external.office.br0"), "the port is the guest's: no LAN machine behind it");
      const enslaved = JSON.parse(labRun.ip(ctx.hostNs("office"), ["-j", "link", "show", "dev", "lan0"]))[0].master;
      const from = ctx.endpoints.get("office.g1")!.ns;
      const to = ctx.hostNs("office");
      const probes = [
        { fromNs: from, toNs: to, address: "10.40.0.1", proto: "icmp" as const },
        { fromNs: from, toNs: to, address: "10.40.0.1", proto: "tcp" as const, port: 22 },
        { fromNs: from, toNs: to, address: "10.40.0.1", proto: "tcp" as const, port: 9 },
      ];
      await startListeners(labRun, probes);
      return { enslaved, reached: (await runProbes(labRun, probes)).map((r) => r.reached) };
    });
    assert.is(result.enslaved, "br0");
    // br0 is not trusted and office refuses ping: only its open port passes.
    assert.equal(result.reached, [false, true, false]);
    assert.equal(leftovers(run.id), []);
  });
});

test.run();
