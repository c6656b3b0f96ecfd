/**
 * Issue 10, the host side, against the real kernel: the composed ruleset of a host where concepts
 * meet (tests/cases/policy/mixed.ts) loads with `nft -f`, and packets in network namespaces show
 * what it does:
 * - defect 8: a VM that sends from a neighbour's address gets no answer from the host delivered
 *   into that neighbour (the host's input binds VM sources as forwarding does);
 * - defect 5: the VM network's sshPort is not opened on the host (only the firewall opens ports);
 * - defect 9: a bridge's subnet leaves by the uplink masqueraded, unless it says `nat: "none"`;
 *   a host without VMs has a forward filter too.
 * The behaviour in a full lab (defects 1, 5, 6, 9 as verify cells) is in composed-lab.test.ts.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileOk, CASES } from "../helpers/compile.js";
import { run } from "../helpers/tools.js";
import { withTmp } from "../helpers/tmp.js";
import { printTableBody, wrapTable } from "../../src/render/nft.js";
import { decide } from "../../src/policy/compose/decide.js";
import { hostPolicyFacts } from "../../src/policy/compose/forward.js";

const MIXED = join(CASES, "policy", "mixed.ts");
const compileMixed = () => compileOk(MIXED, join(CASES, "policy"));

const sh = (...args: string[]) => {
  const r = run(args[0]!, args.slice(1));
  if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

/** Namespaces of one test, removed at the end whatever happens. */
async function withNamespaces<T>(names: string[], fn: (ns: Record<string, string>) => Promise<T> | T): Promise<T> {
  const prefix = `tpol${randomBytes(3).toString("hex")}`;
  const ns = Object.fromEntries(names.map((n) => [n, `${prefix}-${n}`]));
  try {
    for (const n of Object.values(ns)) sh("ip", "netns", "add", n);
    return await fn(ns);
  } finally {
    for (const n of Object.values(ns)) run("ip", ["netns", "del", n]);
  }
}

const inEchoReplies = (ns: string) => {
  const lines = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").split("\n").filter((l) => l.startsWith("Icmp:"));
  const [head, vals] = [lines[0]!.split(/\s+/), lines[1]!.split(/\s+/)];
  return Number(vals[head.indexOf("InEchoReps")]);
};

test("defect 8: a VM spoofing its neighbour's address gets no answer of the host into the neighbour", async () => {
  const c = await compileMixed();
  const hv = c.hosts.find((h) => h.name === "hv")!;
  const filter = hv.nftTables.find((t) => t.name === "topo-filter")!;
  await withTmp((dir) =>
    withNamespaces(["h", "v1", "v2"], (ns) => {
      const f = join(dir, "filter.nft");
      writeFileSync(f, wrapTable(filter, printTableBody(filter)));
      // The hypervisor: br-vm1 10.1.0.1/24 and br-vm2 10.2.0.1/24, a TAP-like veth each.
      const ip = (n: string, ...a: string[]) => sh("ip", "-n", n, ...a);
      for (const [i, vm] of [[1, "v1"], [2, "v2"]] as const) {
        ip(ns.h!, "link", "add", `br-vm${i}`, "type", "bridge");
        ip(ns.h!, "link", "add", `vm-vm${i}`, "type", "veth", "peer", "name", "eth0", "netns", ns[vm]!);
        ip(ns.h!, "link", "set", `vm-vm${i}`, "master", `br-vm${i}`, "up");
        ip(ns.h!, "addr", "add", `10.${i}.0.1/24`, "dev", `br-vm${i}`);
        ip(ns.h!, "link", "set", `br-vm${i}`, "up");
        ip(ns[vm]!, "addr", "add", `10.${i}.0.2/24`, "dev", "eth0");
        ip(ns[vm]!, "link", "set", "eth0", "up");
        ip(ns[vm]!, "link", "set", "lo", "up");
      }
      sh("ip", "netns", "exec", ns.h!, "nft", "-f", f);
      // vm1 claims vm2's address and pings the host at its own gateway.
      ip(ns.v1!, "addr", "add", "10.2.0.2/32", "dev", "eth0");
      const honest = run("ip", ["netns", "exec", ns.v1!, "ping", "-c", "2", "-W", "1", "-I", "10.1.0.2", "10.1.0.1"]);
      assert.is(honest.status, 0, "vm1 pings its gateway from its own address");
      const before = inEchoReplies(ns.v2!);
      run("ip", ["netns", "exec", ns.v1!, "ping", "-c", "3", "-W", "1", "-I", "10.2.0.2", "10.1.0.1"]);
      assert.is(inEchoReplies(ns.v2!) - before, 0, "no echo reply reached vm2");
    }),
  );
});

test("defect 5: sshPort opens nothing on the host; defect 9: a host without VMs filters what it forwards", async () => {
  const c = await compileMixed();
  const text = (host: string, table: string) => {
    const t = c.hosts.find((h) => h.name === host)!.nftTables.find((x) => x.name === table);
    return t ? printTableBody(t) : undefined;
  };
  const hvFilter = text("hv", "topo-filter")!;
  assert.not.match(hvFilter, /dport 2222/, "the VMs' SSH port is not a port of the host");
  const s1 = text("s1", "topo-filter")!;
  assert.match(s1, /chain forward \{\n\s+type filter hook forward priority filter; policy drop;/);
  assert.match(s1, /iifname "br1" ip saddr 10\.60\.0\.0\/24 oifname "enp1s0" accept/);
  assert.match(text("s1", "topo-nat")!, /iifname "br1" ip saddr 10\.60\.0\.0\/24 oifname "enp1s0" counter masquerade/);
  // The hub carries spoke traffic and the published bridge, although it is also a VM host.
  assert.match(hvFilter, /iifname "wgm" oifname "wgm" accept/);
  assert.match(hvFilter, /iifname "wgm" ip daddr 10\.50\.0\.0\/24 accept/);
  // Every table of every host loads into a kernel.
  await withTmp((dir) => {
    for (const h of c.hosts) {
      const f = join(dir, `${h.name}.nft`);
      writeFileSync(f, h.nftTables.map((t) => wrapTable(t, printTableBody(t))).join("\n"));
      const r = run("unshare", ["-n", "nft", "-f", f]);
      assert.is(r.status, 0, `${h.name}: ${r.stderr}`);
    }
  });
});

test("defect 9: `nat: \"none\"` routes a bridge's subnet as it is", async () => {
  const src = readFileSync(MIXED, "utf8").replace('br1: { kind: "linux", address: "10.60.0.1/24"', 'br1: { kind: "linux", nat: "none", address: "10.60.0.1/24"');
  await withTmp(async (dir) => {
    const f = join(dir, "topology.ts");
    writeFileSync(f, src);
    const c = await compileOk(f, dir);
    const s1 = c.hosts.find((h) => h.name === "s1")!;
    assert.equal(s1.nftTables.map((t) => t.name), ["topo-filter", "topo-wireguard"].filter((n) => s1.nftTables.some((t) => t.name === n)));
    assert.not.ok(s1.nftTables.some((t) => t.name === "topo-nat"), "no NAT table");
    assert.match(printTableBody(s1.nftTables[0]!), /iifname "br1" ip saddr 10\.60\.0\.0\/24 oifname "enp1s0" accept/);
  });
});

test("the intent reads the same facts: decide() agrees with the rule order of the composed chain", async () => {
  const c = await compileMixed();
  const hv = c.ir.hosts.find((h) => h.name === "hv")!;
  const facts = hostPolicyFacts(c.ir, hv).forward;
  const d = (iif: string, oif: string, saddr?: string, proto: "tcp" | "udp" | "icmp" = "icmp") => decide(facts, { iif, oif, ...(saddr ? { saddr } : {}), proto }).verdict;
  assert.is(d("wgm", "wgm", "10.100.0.11"), "accept", "spoke to spoke through the hub");
  assert.is(d("wgm", "br0", "10.100.0.11"), "drop", "no daddr: the mesh reaches only what is published");
  assert.is(decide(facts, { iif: "wgm", oif: "br0", saddr: "10.100.0.11", daddr: "10.50.0.30", proto: "icmp" }).verdict, "accept");
  assert.is(d("br0", "enp1s0", "10.50.0.30"), "accept", "the Linux bridge reaches the internet");
  assert.is(d("br-vm1", "br-vm2", "10.1.0.2"), "drop", "VMs isolated");
  assert.is(d("br-vm1", "enp1s0", "10.2.0.2"), "drop", "spoofed source");
  assert.is(d("br-vm1", "enp1s0", "10.1.0.2"), "accept");
  assert.is(d("wgm", "br-vm1", "10.100.0.11"), "drop", "the mesh does not open a VM");
  assert.is(d("enp1s0", "br0"), "drop", "the internet opens nothing into the bridge");
});

test.run();
