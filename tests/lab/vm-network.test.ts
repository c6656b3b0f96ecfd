/**
 * The microVM hypervisor hv1 of the reference fleet on a real lab: the host's networkd builds the
 * VM bridges and enslaves the TAPs, nft loads the generated isolation and NAT tables, and each VM
 * is a namespace whose own networkd reads the guest units from microvms.nix. Then every VM pair is
 * isolated, the exception is open only on its port and way, every VM reaches the internet as the
 * uplink address, metadata answers through DNAT, the admin reaches every VM's SSH, and the
 * internet cannot open a connection to a VM. Mutated rulesets are caught.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileOk, ROOT } from "../helpers/compile.js";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";
import { writePlan } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";

const FLEET = join(ROOT, "topology.ts");
const VMS = ["vm1", "vm2", "vm3", "vm4", "vm5"];

test("hv1: isolation, exception, NAT, metadata DNAT, admin SSH, no way in from the internet", async () => {
  const r = await verifyOk({ file: FLEET, host: "hv1" });
  const bad = r.cells.filter((c) => !c.ok).map(cellName);
  assert.equal(bad, [], `mismatches: ${bad.join("; ")}`);
  assert.equal(r.findings.filter((f) => f.severity === "error"), []);
  const observed = (from: string, to: string, proto: string, port?: number) => {
    const c = r.cells.find((x) => x.from === from && x.to === to && x.proto === proto && x.port === port);
    assert.ok(c, `cell ${from} -> ${to} ${proto}/${port} was probed`);
    return c!.observed;
  };
  for (const a of VMS) {
    for (const b of VMS) {
      if (a === b) continue;
      assert.is(observed(`hv1.${a}`, `hv1.${b}`, "icmp"), false, `${a} pings ${b}`);
      assert.is(observed(`hv1.${a}`, `hv1.${b}`, "tcp", 22), false, `${a} reaches ${b}'s SSH`);
    }
    assert.is(observed(`hv1.${a}`, "external.wan", "tcp", 443), true);
    assert.is(observed("external.wan", `hv1.${a}`, "tcp", 22), false);
    assert.is(observed("external.hv1-admin", `hv1.${a}`, "tcp", 22), true);
    assert.is(observed(`hv1.${a}`, "external.hv1-metadata", "tcp", 80), true);
  }
  // The exception: open on its port, in its direction only.
  assert.is(observed("hv1.vm1", "hv1.vm2", "tcp", 5432), true);
  assert.is(observed("hv1.vm1", "hv1.vm2", "tcp", 5431), false);
  assert.is(observed("hv1.vm2", "hv1.vm1", "tcp", 5432), false);
  // What the WAN side and the metadata service saw: the uplink address (masquerade), through DNAT.
  assert.ok(r.notes.some((n) => /^hv1: all 5 VMs reach external\.wan as \d+\.\d+\.\d+\.\d+ \(masqueraded\)$/.test(n)), r.notes.join("\n"));
  assert.ok(r.notes.some((n) => /^hv1: metadata 169\.254\.169\.254:80 answered 5 VMs through DNAT \(rule counter \+5\)/.test(n)), r.notes.join("\n"));
  assert.equal(r.expectations.filter((e) => e.from.startsWith("hv1")).map((e) => e.status), ["proved", "proved", "proved"]);
  assert.ok(r.ok);
  assert.equal(leftovers(r.run), []);
});

/** Verify hv1 from a compiled tree whose nftables file was changed by `mutate`. */
async function verifyMutated(table: string, mutate: (text: string) => string) {
  const c = await compileOk(FLEET, ROOT);
  return withTmp(async (dir) => {
    writePlan(dir, c.plan);
    const f = join(dir, "hosts", "hv1", "nftables", `${table}.nft`);
    const before = readFileSync(f, "utf8");
    const after = mutate(before);
    assert.is.not(after, before, "the mutation applies");
    writeFileSync(f, after);
    return verifyOk({ file: FLEET, host: "hv1", tree: dir });
  });
}

test("a ruleset that lets VMs talk to each other is caught by the probes", async () => {
  const r = await verifyMutated("topo-filter", (t) => t.replace("iifname @vm_bridges oifname @vm_bridges goto forward_drop", "iifname @vm_bridges oifname @vm_bridges accept"));
  assert.not.ok(r.ok);
  const wrong = r.cells.filter((c) => !c.ok);
  assert.ok(wrong.length >= 20, `${wrong.length} mismatches`);
  assert.ok(wrong.every((c) => c.from.startsWith("hv1.vm") && c.to.startsWith("hv1.vm") && c.observed));
  assert.equal(leftovers(r.run), []);
});

test("a ruleset without masquerade is caught: the internet sees the VM's own address", async () => {
  const r = await verifyMutated("topo-nat", (t) => t.replace(/^.*oifname "enP2p4s0" counter masquerade\n/m, ""));
  assert.not.ok(r.ok);
  const f = r.findings.filter((x) => x.severity === "error" && x.component === "vm-network");
  assert.is(f.length, 5, JSON.stringify(r.findings));
  assert.match(f[0]!.message, /reached the internet as 10\.\d+\.0\.2, not as the uplink address/);
  assert.equal(leftovers(r.run), []);
});

test.run();
