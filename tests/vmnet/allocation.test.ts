import { test } from "uvu";
import * as assert from "uvu/assert";
import { allocations, compileValue, hypervisor, vmNames } from "./fixture.js";

test("defaults follow the seed: VM N gets 10.N.0.0/24, bridge .1, guest .2", () => {
  const { byVm } = allocations(hypervisor(["vm1", "vm2", "vm3"]));
  assert.equal(
    Object.values(byVm).map((v) => [v.subnet, v.guest]),
    [["10.1.0.0/24", "10.1.0.2/24"], ["10.2.0.0/24", "10.2.0.2/24"], ["10.3.0.0/24", "10.3.0.2/24"]],
  );
  for (const v of Object.values(byVm)) assert.match(v.mac, /^02(:[0-9a-f]{2}){5}$/);
  assert.equal(byVm.vm1!.bridge, "br-vm1");
  assert.equal(byVm.vm1!.tap, "vm-vm1");
});

test("adding a VM changes no existing VM's address or MAC (through the lock)", () => {
  // Names chosen so the new VM sorts first: without the lock it would take number 1.
  const before = allocations(hypervisor(["web", "db", "cache"]));
  const after = allocations(hypervisor(["web", "db", "cache", "aaa-new"]), before.lockText);
  for (const vm of ["web", "db", "cache"]) assert.equal(after.byVm[vm], before.byVm[vm], vm);
  assert.is(after.byVm["aaa-new"]!.index, 4);
  // Without the lock the same topology numbers differently: the lock is what keeps them.
  const fresh = allocations(hypervisor(["web", "db", "cache", "aaa-new"]));
  assert.is.not(fresh.byVm["aaa-new"]!.index, 4);
});

test("removing a VM changes no other VM; its number is free again for the next new VM", () => {
  const before = allocations(hypervisor(vmNames(5)));
  const removed = allocations(hypervisor(["vm1", "vm2", "vm4", "vm5"]), before.lockText);
  for (const vm of ["vm1", "vm2", "vm4", "vm5"]) assert.equal(removed.byVm[vm], before.byVm[vm], vm);
  assert.not.match(removed.lockText, /"vm3"/);
  const added = allocations(hypervisor(["vm1", "vm2", "vm4", "vm5", "vm9"]), removed.lockText);
  for (const vm of ["vm1", "vm2", "vm4", "vm5"]) assert.equal(added.byVm[vm], before.byVm[vm], vm);
  assert.is(added.byVm.vm9!.index, 3);
});

test("reordering VMs changes nothing, with or without a lock", () => {
  const a = allocations(hypervisor(["c", "a", "b"]));
  const b = allocations(hypervisor(["b", "c", "a"]));
  assert.equal(a.byVm, b.byVm);
  assert.is(a.lockText, b.lockText);
  const c = allocations(hypervisor(["a", "b", "c"]), a.lockText);
  assert.equal(c.byVm, a.byVm);
});

test("a pinned number wins, and new VMs go around it", () => {
  const { byVm } = allocations(hypervisor({ a: {}, b: { index: 1 }, c: {} }));
  assert.is(byVm.b!.index, 1);
  assert.is(byVm.a!.index, 2);
  assert.is(byVm.c!.index, 3);
});

test("new VMs skip subnets the host already uses; a pinned one that overlaps is an error", () => {
  const host = { bridges: { lan: { kind: "linux" as const, address: "10.1.0.1/24" } } };
  const { byVm } = allocations(hypervisor(["vm1", "vm2"], {}, host));
  assert.equal([byVm.vm1!.subnet, byVm.vm2!.subnet], ["10.2.0.0/24", "10.3.0.0/24"]);
  const r = compileValue(hypervisor({ vm1: { index: 1 } }, {}, host));
  assert.ok(!r.ok && r.diagnostics.some((d) => d.code === "TOPO3003" && d.path.join(".") === "hosts.hv.vmNetwork.vms.vm1.index"));
});

test("conflicts are errors with a code and a path", () => {
  const codes = (v: Parameters<typeof compileValue>[0], lock?: string) => {
    const r = compileValue(v, lock);
    return r.ok ? [] : r.diagnostics.map((d) => `${d.code} ${d.path.join(".")}`);
  };
  assert.ok(codes(hypervisor({ a: { index: 3 }, b: { index: 3 } })).includes("TOPO3004 hosts.hv.vmNetwork.vms.b.index"));
  assert.ok(codes(hypervisor({ a: { index: 300 } })).includes("TOPO3010 hosts.hv.vmNetwork.vms.a.index"));
  assert.ok(codes(hypervisor(["a", "b"], { exceptions: [{ from: "a", to: "zz", proto: "tcp", port: 1 }] })).includes("TOPO3001 hosts.hv.vmNetwork.exceptions.0.to"));
  assert.ok(codes(hypervisor(["a"], { exceptions: [{ from: "a", to: "a", proto: "tcp", port: 1 }] })).includes("TOPO3006 hosts.hv.vmNetwork.exceptions.0.to"));
  assert.ok(codes(hypervisor(["a"], { adminInterface: "eth0" })).includes("TOPO3006 hosts.hv.vmNetwork.adminInterface"));
  assert.ok(codes(hypervisor(["a"], { metadata: { address: "10.9.9.9" } })).includes("TOPO3006 hosts.hv.vmNetwork.metadata.address"));
  assert.ok(codes(hypervisor(["a"], { pool: "10.0.0.0/16", prefixLength: 16 })).length === 1);
  // A small pool runs out, and says so.
  assert.ok(codes(hypervisor(vmNames(4), { pool: "10.0.0.0/22", prefixLength: 24 })).includes("TOPO3010 hosts.hv.vmNetwork.vms.vm4"));
  // A number pinned for a VM that the lock gives to another VM: the lock is not overridden silently.
  const { lockText } = allocations(hypervisor(["a", "b"]));
  assert.ok(codes(hypervisor({ a: {}, b: {}, c: { index: 1 } }), lockText).includes("TOPO3010 hosts.hv.vmNetwork.vms.c.index"));
  // A hand-edited lock entry is reported, never silently replaced.
  const broken = lockText.replace(/"mac": "[^"]+"/, '"mac": "nonsense"');
  assert.ok(codes(hypervisor(["a", "b"]), broken).includes("TOPO3010 hosts.hv.vmNetwork.vms.a"));
  // A VM whose bridge name collides with a host bridge.
  assert.ok(codes(hypervisor(["lan"], {}, { bridges: { "br-lan": { kind: "linux", address: "192.168.5.1/24" } } })).some((c) => c.startsWith("TOPO3004")));
});

test("long VM names get bounded, distinct interface names (prefix + hash, never a counter)", () => {
  const long = ["analytics-worker-1", "analytics-worker-2", "x".repeat(63)];
  const { byVm } = allocations(hypervisor(long));
  const names = Object.values(byVm).flatMap((v) => [v.bridge, v.tap]);
  for (const n of names) assert.ok(n.length <= 15, n);
  assert.is(new Set(names).size, names.length);
  assert.match(byVm["analytics-worker-1"]!.bridge, /^br-analy-[0-9a-f]{6}$/);
  // The name depends only on the VM itself.
  const alone = allocations(hypervisor(["analytics-worker-2"]));
  assert.is(alone.byVm["analytics-worker-2"]!.tap, byVm["analytics-worker-2"]!.tap);
});

test.run();
