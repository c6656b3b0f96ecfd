/**
 * The adversarial cells are derived from the matrix and the topology: spoofed twins of every UDP
 * cell a guest is allowed (blocked), renumbered twins of every cell a container is denied, a VM at
 * the host's other addresses only on host services, UDP isolation, the VM network's SSH port from
 * the internet. They are the lab's: the compile-time matrix does not change.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { intentMatrix, labMatrix, type IntentCell } from "../../src/policy/intent.js";
import { OFF_SUBNET } from "../../src/policy/contributors/adversarial.js";
import { compileOk, ROOT } from "../helpers/compile.js";

const reference = async () => (await compileOk(join(ROOT, "topology.ts"))).ir;

test("the compile-time matrix has no adversarial cell; the lab matrix has it all besides", async () => {
  const ir = await reference();
  const base = intentMatrix(ir);
  const lab = labMatrix(ir);
  assert.ok(base.cells.every((c) => c.variant === undefined && c.source === undefined));
  const key = (c: IntentCell) => JSON.stringify([c.from, c.to, c.proto, c.port, c.variant, c.allowed]);
  const labKeys = new Set(lab.cells.map(key));
  assert.ok(base.cells.every((c) => labKeys.has(key(c))), "every matrix cell is probed as it is");
  assert.ok(lab.cells.length > base.cells.length);
});

test("spoofed: each UDP cell a VM is allowed, from a neighbour's address and from none, must not be delivered", async () => {
  const ir = await reference();
  const lab = labMatrix(ir);
  const allowedUdp = lab.cells.filter((c) => c.allowed && c.proto === "udp" && c.from.startsWith("hv1.vm") && c.variant === undefined);
  assert.ok(allowedUdp.length >= 10, "host services (udp/53) and the internet over UDP, for 5 VMs");
  for (const c of allowedUdp) {
    const twins = lab.cells.filter((x) => x.source?.spoofed && x.from === c.from && x.to === c.to && x.port === c.port && (x.toAddress ?? "") === (c.toAddress ?? ""));
    assert.equal(twins.map((t) => t.allowed), [false, false], `${c.from} -> ${c.to} udp/${c.port}`);
    assert.ok(twins.some((t) => t.source!.address === `${OFF_SUBNET}/32`));
    assert.ok(twins.some((t) => /^10\.[1-5]\.0\.2\/32$/.test(t.source!.address) && t.source!.address !== `${ir.hosts.find((h) => h.name === "hv1")!.vmNetwork!.vms.find((v) => `hv1.${v.name}` === c.from)!.guestAddress.split("/")[0]}/32`));
  }
});

test("renumbered: what a container is denied, it is denied from another address of its subnet", async () => {
  const ir = await reference();
  const lab = labMatrix(ir);
  const denied = intentMatrix(ir).cells.filter((c) => !c.allowed && c.from === "oo1424oo.mcp-server");
  assert.ok(denied.some((c) => c.to === "external.oo1424oo.warp0"), "management never uses WARP");
  for (const c of denied) {
    const twin = lab.cells.find((x) => x.from === c.from && x.to === c.to && x.proto === c.proto && x.port === c.port && x.source && !x.source.spoofed);
    assert.ok(twin, `${c.from} -> ${c.to} ${c.proto}`);
    assert.is(twin!.allowed, false);
    assert.match(twin!.source!.address, /^10\.0\.0\.\d+\/24$/);
    assert.is.not(twin!.source!.address, "10.0.0.200/24");
  }
  const sources = new Set(lab.cells.filter((x) => x.source && !x.source.spoofed).map((x) => `${x.from} ${x.source!.address}`));
  const addresses = [...sources].map((s) => s.split(" ")[1]);
  assert.is(new Set(addresses).size, addresses.length, "each container renumbers to an address of its own");
});

test("a VM asks for host services at its own gateway only; closed ports closed everywhere, over UDP too", async () => {
  const ir = await reference();
  const lab = labMatrix(ir);
  const from = lab.cells.filter((c) => c.from === "hv1.vm1" && c.to === "hv1" && c.variant?.startsWith("at "));
  assert.ok(from.some((c) => c.toAddress === "10.2.0.1" && c.proto === "udp" && c.port === 53 && !c.allowed), "another VM's gateway, host service");
  assert.ok(lab.cells.some((c) => c.from === "hv1.vm1" && c.to === "hv1" && c.toAddress === "10.1.0.1" && c.proto === "udp" && c.port === 53 && c.allowed && !c.variant), "own gateway, host service");
  assert.ok(from.some((c) => c.toAddress === "10.2.0.1" && c.proto === "tcp" && c.port === 9 && !c.allowed), "another VM's gateway, closed port");
  assert.ok(lab.cells.some((c) => c.from === "hv1.vm1" && c.to === "hv1" && c.toAddress === "10.1.0.1" && c.proto === "udp" && c.port === 9 && !c.allowed), "own gateway, closed UDP port");
  assert.ok(lab.cells.some((c) => c.from === "hv1.vm1" && c.to === "hv1.vm2" && c.proto === "udp" && !c.allowed), "isolated over UDP");
  assert.ok(lab.cells.some((c) => c.from === "hv1.vm1" && c.to === "external.wan" && c.proto === "udp" && c.allowed), "the internet over UDP");
  const ssh = lab.cells.find((c) => c.from === "external.wan" && c.to === "hv1" && c.variant === "VM network ssh port");
  assert.is(ssh?.allowed, true, "hv1's firewall opens tcp/22 itself");
});

test("through a tunnel, UDP as ICMP: users reach beyond it, others do not; users' spoofed twins and others' renumbered twins are blocked", async () => {
  const ir = await reference();
  const lab = labMatrix(ir);
  const beyond = "external.oo1424oo.warp0";
  const udp = (from: string) => lab.cells.filter((c) => c.from === from && c.to === beyond && c.proto === "udp");
  assert.equal(udp("oo1424oo.xray").map((c) => [c.variant ?? "", c.allowed]), [["", true], ["spoofed 10.0.0.100", false], ["spoofed 100.64.0.77", false]]);
  assert.equal(udp("oo1424oo.mcp-server").map((c) => [c.variant ?? "", c.allowed]), [["", false], ["renumbered 10.0.0.242", false]]);
});

test.run();
