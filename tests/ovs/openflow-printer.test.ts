import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlowError, printFlow, printMatch } from "../../src/render/openflow.js";
import type { FlowIR } from "../../src/ir/ovs.js";

const ports = new Map<string, number | "LOCAL">([
  ["veth100", 100],
  ["vmbr0", "LOCAL"],
  ["warp0", "LOCAL"],
]);
const flow = (f: Partial<FlowIR>): FlowIR => ({ origin: { path: "x" }, class: "user", table: 0, priority: 100, match: {}, actions: [{ kind: "normal" }], ...f });

test("an address brings ip; under arp it becomes arp_spa/arp_tpa", () => {
  assert.equal(printMatch({ dst: "10.0.0.0/24" }, ports), ["ip", "nw_dst=10.0.0.0/24"]);
  assert.equal(printMatch({ proto: "arp", src: "10.0.0.1", dst: "10.0.0.2" }, ports), ["arp", "arp_spa=10.0.0.1", "arp_tpa=10.0.0.2"]);
  assert.equal(printMatch({ proto: "tcp", src: "10.0.0.1", dstPort: 443 }, ports), ["tcp", "nw_src=10.0.0.1", "tp_dst=443"]);
});

test("a port match without tcp/udp cannot be printed", () => {
  assert.throws(() => printMatch({ dstPort: 53 }, ports), (e: unknown) => e instanceof FlowError);
  assert.throws(() => printMatch({ proto: "icmp", dstPort: 53 }, ports), /needs proto tcp or udp/);
});

test("ports print as their requested numbers; the bridge and tunnels as LOCAL", () => {
  assert.is(printFlow(flow({ match: { inPort: "veth100" }, actions: [{ kind: "output", port: "warp0" }] }), ports), "table=0,priority=100,in_port=100,actions=LOCAL");
  assert.is(printFlow(flow({ match: { inPort: "vmbr0" }, actions: [{ kind: "output", port: "veth100" }] }), ports), "table=0,priority=100,in_port=LOCAL,actions=output:100");
  assert.throws(() => printFlow(flow({ actions: [{ kind: "output", port: "nope" }] }), ports), /not attached/);
});

test("actions: cookie, learn, resubmit, goto last and forward, drop alone", () => {
  assert.is(
    printFlow(flow({ cookie: "0xdead", actions: [{ kind: "learn", table: 1, hardTimeout: 300, priority: 110 }, { kind: "resubmit", table: 5 }, { kind: "goto", table: 2 }] }), ports),
    "table=0,priority=100,cookie=0xdead,actions=learn(table=1,hard_timeout=300,priority=110,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[]),resubmit(,5),goto_table:2",
  );
  assert.throws(() => printFlow(flow({ actions: [{ kind: "goto", table: 2 }, { kind: "normal" }] }), ports), /last/);
  assert.throws(() => printFlow(flow({ table: 3, actions: [{ kind: "goto", table: 2 }] }), ports), /forward/);
  assert.throws(() => printFlow(flow({ actions: [{ kind: "drop" }, { kind: "normal" }] }), ports), /only action/);
});

test.run();
