/**
 * The reachability test probes the isolation of a host's VMs on a ring of peers (each VM the next
 * VM_ISOLATION_PEERS of its network), not all pairs: linear in the VMs, every VM probed as source
 * and as destination, every pair an exception names kept; with few VMs, still every pair. The
 * cells it asks for are the whole matrix's cells there.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compile } from "../../src/compile.js";
import { probes, VM_ISOLATION_PEERS } from "../../src/lower/fleet/reachability-test.js";
import { intentFor, intentMatrix, type IntentScope } from "../../src/policy/intent.js";

function fleet(vmCount: number) {
  const vms: Record<string, { vcpu: number; memory: number }> = {};
  for (let i = 1; i <= vmCount; i++) vms[`vm${i}`] = { vcpu: 1, memory: 512 };
  const value = {
    name: "ring",
    hosts: {
      hv1: {
        system: "x86_64-linux",
        stateVersion: "25.11",
        uplink: { interface: "enp1s0", address: "203.0.113.2/24", gateway: "203.0.113.1" },
        firewall: { allowedTCPPorts: [22] },
        vmNetwork: { pool: "10.0.0.0/8", prefixLength: 24, vms, exceptions: [{ from: "vm1", to: `vm${vmCount - 1}`, proto: "tcp", port: 5432 }] },
      },
    },
  };
  const r = compile({ file: "/ring/topology.ts", source: `export default ${JSON.stringify(value, null, 2)};\n`, value }, { outDir: "/ring" });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.compiled.ir;
}

const vmPairs = (ir: ReturnType<typeof fleet>) => new Set(probes(ir).filter((p) => p.from.startsWith("hv1.vm") && p.to.startsWith("hv1.vm") && p.from !== p.to).map((p) => `${p.from} ${p.to}`));

test("with many VMs, each probes the next ones of the ring and those its exceptions name", () => {
  const n = 12;
  const ir = fleet(n);
  const pairs = vmPairs(ir);
  // The ring goes in the IR's order of the VMs (vm1, vm10, vm11, vm12, vm2...).
  const order = ir.hosts[0]!.vmNetwork!.vms.map((vm) => `hv1.${vm.name}`);
  const outOf = new Map<string, number>();
  const into = new Map<string, number>();
  for (const p of pairs) {
    const [f, t] = p.split(" ") as [string, string];
    outOf.set(f, (outOf.get(f) ?? 0) + 1);
    into.set(t, (into.get(t) ?? 0) + 1);
  }
  assert.is(order.length, n);
  order.forEach((vm, i) => {
    for (let k = 1; k <= VM_ISOLATION_PEERS; k++) assert.ok(pairs.has(`${vm} ${order[(i + k) % n]}`), `${vm} -> the ${k}. next`);
    assert.ok((outOf.get(vm) ?? 0) >= VM_ISOLATION_PEERS && (into.get(vm) ?? 0) >= VM_ISOLATION_PEERS, `${vm} both ways`);
  });
  assert.ok(pairs.has(`hv1.vm1 hv1.vm${n - 1}`) && pairs.has(`hv1.vm${n - 1} hv1.vm1`), "the exception's pair, both ways");
  // In this order vm11 is among vm1's next ones, but vm1 is not among vm11's: one pair beyond the ring.
  assert.is(pairs.size, n * VM_ISOLATION_PEERS + 1, "the ring and the exception's pair");
});

test("with few VMs, every pair is probed", () => {
  const n = VM_ISOLATION_PEERS + 1;
  assert.is(vmPairs(fleet(n)).size, n * (n - 1));
});

test("a scope that names a VM's peers gives the whole matrix's cells there", () => {
  const ir = fleet(10);
  const ring = (f: string) => new Set([`hv1.vm${(Number(f.slice(6)) % 10) + 1}`]);
  const isVm = (id: string) => id.startsWith("hv1.vm");
  const keep = (f: string, t: string) => !isVm(f) || !isVm(t) || ring(f).has(t);
  const scope: IntentScope = { from: () => true, to: () => true, has: keep, peers: (id) => (isVm(id) ? ring(id) : undefined) };
  assert.equal(intentFor(ir, scope).cells, intentMatrix(ir).cells.filter((c) => keep(c.from, c.to)));
});

test.run();
