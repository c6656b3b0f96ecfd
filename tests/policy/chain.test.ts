/**
 * Issue 10, defects 2 and 3, on a real Open vSwitch and a real lab:
 * - a chain longer than two hops (container -> container -> tunnel) works: the entrance answers the
 *   host's ARP, the middle hop's ICMP redirects never reach the entrance, every hop's source is
 *   routed into the tunnel and let out by the host's privacy guard;
 * - a guarded container that changes its own address reaches nothing: its port admits only its
 *   own source (ARP and IP), whatever the host's guards say about addresses.
 * `ofproto/trace` asks the switch itself what it does with a packet on a port.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileOk, CASES } from "../helpers/compile.js";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";
import { sh, vethInNs, withOvs } from "../helpers/ovs.js";
import { nixEvalJson, writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import type { VswitchesData } from "../../src/lab/ovs/daemon.js";

const CHAIN = join(CASES, "policy", "chain.ts");
const CHAIN_THREE = join(CASES, "policy", "chain-three.ts");

/** The switch of host box with the generated flows, its ports plugged; `fn` traces packets. */
async function withChainSwitch(fn: (trace: (flow: string) => string, dp: (ofport: number | "LOCAL") => string) => void, file = CHAIN) {
  const { plan } = await compileOk(file, join(CASES, "policy"));
  await withTmp(async (dir) => {
    writePlan(dir, plan);
    const data = nixEvalJson(join(dir, "hosts", "box", "vswitches.nix")) as VswitchesData;
    await withOvs((ovs, prefix) => {
      ovs.applyVswitches(data);
      Object.entries(data.topo?.ovs?.latePorts ?? {}).forEach(([port, p], i) => {
        vethInNs(ovs, port, `${prefix}p${i}`);
        ovs.attachLatePort(port, p.bridge, p.ofport);
      });
      const appctl = (...args: string[]) => {
        const r = sh("ip", ["netns", "exec", ovs.ns, "ovs-appctl", `--target=${join(ovs.dir, "vswitchd.ctl")}`, ...args]);
        assert.is(r.status, 0, r.stderr);
        return r.stdout;
      };
      // Traces name datapath ports; dpif/show maps OpenFlow ports to them ("name 100/3: ...", LOCAL is 65534).
      const dpPorts = new Map([...appctl("dpif/show").matchAll(/^\s+\S+ (\d+)\/(\d+)/gm)].map((m) => [m[1]!, m[2]!]));
      fn(
        (flow) => /Datapath actions: (.*)/.exec(appctl("ofproto/trace", "ovsbr0", flow))?.[1] ?? "",
        (ofport) => dpPorts.get(ofport === "LOCAL" ? "65534" : String(ofport)) ?? `no datapath port for ${ofport}`,
      );
    });
  });
}

// Ports: entry 100, relay 101, mgmt 200, web 104, LOCAL the host.
test("a renumbered guarded container reaches nothing: its port admits only its own address", async () => {
  await withChainSwitch((trace) => {
    // Its own address goes the forced way (to the relay, port 101)...
    assert.match(trace("in_port=100,ip,nw_src=10.0.0.100,nw_dst=203.0.113.7"), /^\d+$/, "entry's own traffic is forwarded");
    // ...another address goes nowhere: not the relay, not the host, not the management container.
    for (const dst of ["203.0.113.7", "10.0.0.1", "10.0.0.200"]) {
      assert.is(trace(`in_port=100,ip,nw_src=10.0.0.150,nw_dst=${dst}`), "drop", `renumbered entry -> ${dst}`);
      assert.is(trace(`in_port=101,ip,nw_src=10.0.0.150,nw_dst=${dst}`), "drop", `renumbered relay -> ${dst}`);
      assert.is(trace(`in_port=200,ip,nw_src=10.0.0.104,nw_dst=${dst}`), "drop", `management posing as web -> ${dst}`);
    }
    assert.is(trace("in_port=100,arp,arp_spa=10.0.0.150,arp_tpa=10.0.0.101"), "drop", "ARP from another address");
  });
});

test("the middle hop relays its entrance's traffic and never redirects it around itself", async () => {
  await withChainSwitch((trace) => {
    // The relay forwards packets that carry the entrance's source, to the host (its way out).
    assert.not.equal(trace("in_port=101,ip,nw_src=10.0.0.100,nw_dst=203.0.113.7"), "drop", "relayed traffic of the entrance passes");
    // ICMP redirect (type 5) from the relay to the entrance: dropped.
    assert.is(trace("in_port=101,icmp,icmp_type=5,icmp_code=1,nw_src=10.0.0.101,nw_dst=10.0.0.100"), "drop");
    // The entrance answers the host's ARP (its reply targets the bridge address).
    assert.not.equal(trace("in_port=100,arp,arp_op=2,arp_spa=10.0.0.100,arp_tpa=10.0.0.1"), "drop", "ARP reply to the host");
  });
});

test("lab: the entrance of a three-hop chain reaches beyond the tunnel, nothing else", async () => {
  const r = await verifyOk({ file: CHAIN });
  assert.equal(r.cells.filter((c) => !c.ok).map(cellName), []);
  assert.equal(r.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
  const cell = (from: string, to: string) => r.cells.find((c) => c.from === from && c.to === to && c.proto === "icmp");
  assert.is(cell("box.entry", "external.box.warp0")?.observed, true, "entry exits through warp0");
  assert.is(cell("box.relay", "external.box.warp0")?.observed, true, "relay exits through warp0");
  assert.is(cell("box.entry", "box")?.observed, false, "entry does not reach the host");
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

// Ports: entry 100, middle 101, relay 102, LOCAL the host.
test("three container hops: the host resolves and reaches every hop, the middle one included", async () => {
  await withChainSwitch((trace, dp) => {
    for (const [port, a] of [[100, "10.0.0.100"], [101, "10.0.0.101"], [102, "10.0.0.102"]] as const) {
      assert.is(trace(`in_port=LOCAL,arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=${a}`), dp(port), `the host's ARP for ${a}`);
      assert.is(trace(`in_port=LOCAL,icmp,nw_src=198.51.100.20,nw_dst=${a}`), dp(port), `a reply from beyond the tunnel to ${a}`);
    }
    // The middle hop answers the host (its ARP reply), sends its own traffic through the relay, relays the entrance's.
    assert.is(trace("in_port=101,arp,arp_op=2,arp_spa=10.0.0.101,arp_tpa=10.0.0.1"), dp("LOCAL"), "the middle hop's ARP answer reaches the host");
    assert.is(trace("in_port=101,icmp,nw_src=10.0.0.101,nw_dst=203.0.113.7"), dp(102));
    assert.is(trace("in_port=101,icmp,nw_src=10.0.0.100,nw_dst=203.0.113.7"), dp(102));
    assert.is(trace("in_port=101,icmp,nw_src=10.0.0.101,nw_dst=10.0.0.1"), "drop", "the middle hop does not reach the host");
  }, CHAIN_THREE);
});

test("lab: every hop of a three-hop chain reaches beyond the tunnel, and nothing else", async () => {
  const r = await verifyOk({ file: CHAIN_THREE });
  assert.equal(r.cells.filter((c) => !c.ok).map(cellName), []);
  assert.equal(r.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
  for (const hop of ["entry", "middle", "relay"]) {
    const cell = r.cells.find((c) => c.from === `box.${hop}` && c.to === "external.box.warp0" && c.proto === "icmp" && !c.variant);
    assert.is(cell?.observed, true, `${hop} exits through warp0`);
  }
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

test.run();
