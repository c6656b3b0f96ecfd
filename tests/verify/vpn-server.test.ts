/**
 * WireGuard VPN servers in the lab, end to end with wireguard-go: a road-warrior client per VPN
 * client (full tunnel, the server at the host's uplink address) probes the host, the internet and
 * the host's guests as the composed policy says, and its spoofed sources are dropped by the
 * server's allowed-ips; on a DHCP uplink, the clients dial the host's lease. Each check can fail: without the pool's masquerade rule the internet is not
 * reached; with a client's allowed-ips widened on the server, its spoofed sources get through.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CellOutcome, VerifyResult } from "../../src/verify/verify.js";
import { CASES, compileOk, ROOT } from "../helpers/compile.js";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { writePlan } from "../helpers/tools.js";

const LAPTOP = "external.oo1424oo.wg0.laptop";
const CASE = join(CASES, "vpn", "road-warriors.ts");

/** The cell of the run for from -> to (proto, port, variant). */
function cell(r: VerifyResult, from: string, to: string, proto: string, port?: number, variant?: string): CellOutcome {
  const c = r.cells.find((x) => x.from === from && x.to === to && x.proto === proto && x.port === port && x.variant === variant);
  assert.ok(c, `cell ${from}${variant ? ` [${variant}]` : ""} -> ${to} ${proto}/${port ?? ""} was probed`);
  return c!;
}

/** Remove the masquerade rule of wg0's pool from a host's generated NAT table (asserting it was there). */
function cutMasquerade(tree: string, host: string): void {
  const file = join(tree, `hosts/${host}/nftables/topo-nat.nft`);
  const text = readFileSync(file, "utf8");
  const cut = text.replace(/\n[^\n]*iifname "wg0"[^\n]*masquerade/, "");
  assert.is.not(cut, text, `${host}'s wg0 masquerade is in the generated ruleset`);
  writeFileSync(file, cut);
}

/** Cells that mismatch in `r` and did not in `before`. */
const broke = (before: VerifyResult, r: VerifyResult) => {
  const was = new Set(before.cells.filter((c) => !c.ok).map(cellName));
  return r.cells.filter((c) => !c.ok && !was.has(cellName(c)));
};

test("reference fleet: oo1424oo's road warrior reaches the host, the internet and the containers through wg0; without the pool's masquerade it does not reach the internet", async () => {
  await withTmp(async (dir) => {
    const topo = join(ROOT, "topology.ts");
    writePlan(dir, (await compileOk(topo, dir)).plan);
    const intact = await verifyOk({ file: topo, tree: dir, host: "oo1424oo", adversarial: true });
    const vpn = intact.cells.filter((c) => c.from === LAPTOP || c.to === LAPTOP);
    assert.ok(vpn.length >= 12, `${vpn.length} cells of the VPN client`);
    assert.equal(vpn.filter((c) => !c.ok).map(cellName), []);
    assert.equal(intact.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
    assert.ok(intact.notes.some((n) => n === `vpn-clients: ${LAPTOP} has a handshake with oo1424oo's wg0`), intact.notes.join("\n"));
    // Through the tunnel (the client's only other route is to the server's uplink address).
    assert.is(cell(intact, LAPTOP, "external.wan", "icmp").observed, true);
    assert.is(cell(intact, LAPTOP, "external.wan", "udp", 53).observed, true);
    assert.is(cell(intact, LAPTOP, "oo1424oo", "tcp", 22).observed, true);
    assert.is(cell(intact, LAPTOP, "oo1424oo", "tcp", 22).address, "10.8.0.1");
    assert.is(cell(intact, LAPTOP, "oo1424oo", "tcp", 9).observed, false);
    for (const ct of ["gateway", "xray", "mcp-server", "op-dbus-api"]) assert.is(cell(intact, LAPTOP, `oo1424oo.${ct}`, "icmp").observed, true, ct);
    // Spoofed sources: another pool address and one on no subnet, never delivered.
    const spoofed = vpn.filter((c) => c.variant?.startsWith("spoofed") && c.to === "external.wan");
    assert.equal(spoofed.map((c) => c.source).sort(), ["10.8.0.254/32", "100.64.0.77/32"]);
    assert.ok(spoofed.every((c) => c.ok && !c.observed));
    assert.equal(leftovers(intact.run), []);

    cutMasquerade(dir, "oo1424oo");
    const r = await verifyOk({ file: topo, tree: dir, host: "oo1424oo", adversarial: true });
    const now = broke(intact, r);
    assert.equal(now.map(cellName).sort(), [`${LAPTOP} -> external.wan icmp`, `${LAPTOP} -> external.wan udp/53`]);
    assert.ok(now.every((c) => c.expected && !c.observed));
    assert.equal(leftovers(r.run), []);
  });
});

test("two servers on one host, masqueraded and routed as is: clients reach what the policy says, the internet not the clients; widened allowed-ips let spoofed sources through", async () => {
  await withTmp(async (dir) => {
    writePlan(dir, (await compileOk(CASE, dir)).plan);
    const intact = await verifyOk({ file: CASE, tree: dir, adversarial: true });
    assert.equal(intact.cells.filter((c) => !c.ok).map(cellName), []);
    assert.equal(intact.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
    const [alice, bob, carol] = ["wg0.alice", "wg0.bob", "wg1.carol"].map((c) => `external.gw.${c}`) as [string, string, string];
    // nat: "none": out as is, back because the provider routes the pool; nothing opens a connection in.
    assert.is(cell(intact, carol, "external.wan", "icmp").observed, true);
    assert.is(cell(intact, "external.wan", carol, "icmp").observed, false);
    assert.is(cell(intact, alice, "external.wan", "icmp").observed, true);
    // Through the server to the next client, the bridge's container and its LAN machine.
    assert.is(cell(intact, alice, bob, "icmp").observed, true);
    assert.is(cell(intact, bob, alice, "icmp").observed, true);
    assert.is(cell(intact, carol, "gw.web", "icmp").observed, true);
    assert.is(cell(intact, alice, "external.gw.br0", "icmp").observed, true);
    // Cryptokey routing: alice sending as bob, or from no subnet, delivers nothing.
    assert.is(cell(intact, alice, "gw", "udp", 5353).observed, true);
    assert.is(cell(intact, alice, "external.wan", "udp", 53, "spoofed 10.8.0.3").observed, false);
    assert.is(cell(intact, alice, "gw", "udp", 5353, "spoofed 100.64.0.77").observed, false);
    assert.equal(leftovers(intact.run), []);

    // The server's peer entry for alice widened to everything: what she forges now gets in
    // (bob's own /32 stays more specific, so posing as bob still fails).
    const file = join(dir, "hosts/gw/wireguard.nix");
    const text = readFileSync(file, "utf8");
    const wide = text.replace(`AllowedIPs = [ "10.8.0.2/32" ];`, `AllowedIPs = [ "0.0.0.0/0" ];`);
    assert.is.not(wide, text, "alice's allowed-ips are in the generated peers");
    writeFileSync(file, wide);
    const r = await verifyOk({ file: CASE, tree: dir, adversarial: true });
    const now = broke(intact, r);
    assert.ok(now.some((c) => c.from === alice && c.to === "gw" && c.variant === "spoofed 100.64.0.77"), now.map(cellName).join(", "));
    assert.ok(now.every((c) => c.from === alice && c.variant?.startsWith("spoofed 100.64.0.77") && c.observed), now.map(cellName).join(", "));
    assert.is(cell(r, alice, "external.wan", "udp", 53, "spoofed 10.8.0.3").observed, false);
    assert.equal(leftovers(r.run), []);
  });
});

test("a server on a DHCP uplink: clients dial the host's lease and reach the host and the internet; the routed pool does not come back; without the masquerade the others do not either", async () => {
  const file = join(CASES, "vpn", "dhcp-road-warriors.ts");
  await withTmp(async (dir) => {
    writePlan(dir, (await compileOk(file, dir)).plan);
    const intact = await verifyOk({ file, tree: dir, adversarial: true });
    assert.equal(intact.cells.filter((c) => !c.ok).map(cellName), []);
    assert.equal(intact.findings.filter((f) => f.severity === "error").map((f) => f.message), []);
    const [alice, bob, carol] = ["wg0.alice", "wg0.bob", "wg1.carol"].map((c) => `external.home.${c}`) as [string, string, string];
    for (const c of [alice, bob, carol]) {
      assert.ok(intact.notes.some((n) => n.startsWith(`vpn-clients: ${c} dials home's lease, `)), intact.notes.join("\n"));
      assert.ok(intact.notes.some((n) => n.startsWith(`vpn-clients: ${c} has a handshake with home's`)), intact.notes.join("\n"));
    }
    assert.is(cell(intact, alice, "home", "tcp", 22).observed, true);
    assert.is(cell(intact, alice, "home", "tcp", 22).address, "10.8.0.1");
    assert.is(cell(intact, carol, "home", "tcp", 22).observed, true);
    assert.is(cell(intact, alice, "external.wan", "icmp").observed, true);
    assert.is(cell(intact, bob, alice, "icmp").observed, true);
    // nat: "none" behind a lease: nothing routes the pool back.
    assert.is(cell(intact, carol, "external.wan", "icmp").expected, false);
    assert.is(cell(intact, carol, "external.wan", "icmp").observed, false);
    assert.is(cell(intact, alice, "external.wan", "udp", 53, "spoofed 10.8.0.3").observed, false);
    assert.equal(leftovers(intact.run), []);

    cutMasquerade(dir, "home");
    const r = await verifyOk({ file, tree: dir, adversarial: true });
    assert.equal(broke(intact, r).map(cellName).sort(), [alice, bob].flatMap((c) => [`${c} -> external.wan icmp`, `${c} -> external.wan udp/53`]).sort());
    assert.equal(leftovers(r.run), []);
  });
});

test.run();
