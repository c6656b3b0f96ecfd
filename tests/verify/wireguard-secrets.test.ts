/**
 * `topo verify` on a fleet whose WireGuard keys are sops-nix secrets: the netdevs carry no
 * PrivateKeyFile of their own (secrets.nix, a module function, sets it to the secret's path), and
 * the lab still brings the mesh up, with the key at that path.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cellName, leftovers, verifyOk } from "../helpers/lab.js";
import { withTmp } from "../helpers/tmp.js";
import { fleet } from "../wireguard/fleet.js";

test("sops-nix keys: the mesh comes up in the lab, every member reaches every other", async () => {
  const f = fleet();
  f.secrets = "sops-nix";
  delete f.hosts.gw.services;
  for (const h of ["n1", "n2"]) {
    delete f.hosts[h].bridges;
    delete f.hosts[h].containers;
    delete f.hosts[h].tunnels;
    delete f.hosts[h].vpnServers;
    delete f.meshes.mesh.members[h].publishes;
  }
  await withTmp(async (dir) => {
    const file = join(dir, "topology.json");
    writeFileSync(file, JSON.stringify(f));
    const r = await verifyOk({ file });
    const bad = r.cells.filter((c) => !c.ok).map(cellName);
    assert.equal(bad, [], `mismatches: ${bad.join("; ")}`);
    assert.equal(r.findings.filter((x) => x.severity === "error"), []);
    assert.ok(r.notes.some((n) => /wgmesh's key is the sops-nix secret topo\/gw-wgmesh\.key .*\/run\/secrets\/topo\/gw-wgmesh\.key/.test(n)));
    for (const [a, b] of [["n1", "n2"], ["n2", "gw"], ["gw", "n1"]] as const) assert.ok(r.cells.some((c) => c.from === a && c.to === b && c.observed), `${a} -> ${b}`);
    assert.ok(r.ok);
    assert.equal(leftovers(r.run), []);
  });
});

test.run();
