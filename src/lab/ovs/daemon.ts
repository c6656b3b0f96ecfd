/**
 * A real Open vSwitch in a network namespace: ovsdb-server and ovs-vswitchd with the userspace
 * ("netdev") datapath, each run with its own database, sockets, pid files and logs in a per-run
 * directory, so several can run on one machine (other labs run concurrently). Stopped by the pids
 * they wrote, never by name.
 *
 * `applyVswitches` does what NixOS's <bridge>-netdev.service does with the evaluated
 * `networking.vswitches` data (add-br, ports, extraOvsctlCmds in one ovs-vsctl call, then
 * add-flows from openFlowRules), and what topo's late-port services do with `topo.ovs.latePorts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema";

export interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Ran {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function must(r: Ran, what: string): Ran {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

/** The evaluated data of a host's vswitches.nix. */
export interface VswitchesData {
  readonly networking?: {
    readonly vswitches?: Record<
      string,
      {
        readonly interfaces: Record<string, { readonly type?: string; readonly vlan?: number }>;
        readonly openFlowRules: string;
        readonly openFlowVersion: string;
        readonly supportedOpenFlowVersions: readonly string[];
        readonly extraOvsctlCmds: string;
      }
    >;
  };
  readonly topo?: { readonly ovs?: { readonly latePorts?: Record<string, { readonly bridge: string; readonly ofport: number }> } };
}

/** Runs a daemon in the instance's namespace in the foreground (argv[0] is the program). */
export type Spawn = (what: string, argv: readonly string[], env: Record<string, string>) => void;

function waitFor(path: string, what: string, log: () => string, timeoutMs = 10_000): void {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${what} did not start within ${timeoutMs / 1000} s: ${log().trim().split("\n").slice(-3).join(" | ")}`);
    spawnSync("sleep", ["0.02"]);
  }
}

export class OvsInstance {
  readonly db: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly ns: string,
    readonly dir: string,
  ) {
    this.db = `unix:${join(dir, "db.sock")}`;
    this.env = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
  }

  /**
   * Start ovsdb-server and ovs-vswitchd inside namespace `ns` (which must exist), state in `dir`.
   * By default they detach and are stopped with `stop()`; a `spawn` (the lab's recorded daemons)
   * runs them in the foreground instead, and whoever spawned them stops them.
   */
  static start(ns: string, dir: string, spawn?: Spawn): OvsInstance {
    const o = new OvsInstance(ns, dir);
    const d = (f: string) => join(dir, f);
    must(run("ovsdb-tool", ["create", d("conf.db"), OVS_SCHEMA], { env: o.env }), "ovsdb-tool create");
    const common = (name: string) => [`--pidfile=${d(`${name}.pid`)}`, `--unixctl=${d(`${name}.ctl`)}`, `--log-file=${d(`${name}.log`)}`];
    const ovsdb = ["ovsdb-server", d("conf.db"), `--remote=punix:${d("db.sock")}`, ...common("ovsdb")];
    const vswitchd = ["ovs-vswitchd", o.db, ...common("vswitchd")];
    const envVars = { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir };
    if (spawn) spawn("ovsdb-server", ovsdb, envVars);
    else must(run("ip", ["netns", "exec", ns, ...ovsdb, "--detach"], { env: o.env }), "ovsdb-server");
    waitFor(d("db.sock"), "ovsdb-server", () => o.log("ovsdb"));
    must(o.vsctl(["--no-wait", "init"]), "ovs-vsctl init");
    if (spawn) spawn("ovs-vswitchd", vswitchd, envVars);
    else must(run("ip", ["netns", "exec", ns, ...vswitchd, "--detach"], { env: o.env }), "ovs-vswitchd");
    waitFor(d("vswitchd.ctl"), "ovs-vswitchd", () => o.log());
    return o;
  }

  vsctl(args: readonly string[]): Ran {
    return run("ovs-vsctl", [`--db=${this.db}`, "--timeout=10", ...args], { env: this.env });
  }

  /** ovs-ofctl against a bridge's management socket (no name lookup through the environment). */
  ofctl(bridge: string, cmd: string, args: readonly string[] = [], version = "OpenFlow13"): Ran {
    return run("ovs-ofctl", ["-O", version, cmd, `unix:${join(this.dir, `${bridge}.mgmt`)}`, ...args], { env: this.env });
  }

  /** In the namespace: `ip`, ping, whatever a probe needs. */
  exec(cmd: string, args: readonly string[], timeoutMs?: number): Ran {
    return run("ip", ["netns", "exec", this.ns, cmd, ...args], { env: this.env, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /** Create the bridges as NixOS's vswitch service does, on the userspace datapath. Late ports are added by `attachLatePorts`. */
  applyVswitches(data: VswitchesData): void {
    for (const [br, v] of Object.entries(data.networking?.vswitches ?? {})) {
      must(this.vsctl(["--if-exists", "del-br", br, "--", "add-br", br, "--", "set", "bridge", br, "datapath_type=netdev", `protocols=${v.supportedOpenFlowVersions.join(",")}`]), `add-br ${br}`);
      const cmds: string[] = [];
      for (const [port, p] of Object.entries(v.interfaces)) {
        cmds.push("--", "add-port", br, port, ...(p.vlan !== undefined ? [`tag=${p.vlan}`] : []));
        if (p.type) cmds.push("--", "set", "interface", port, `type=${p.type}`);
      }
      for (const line of v.extraOvsctlCmds.split("\n").filter((l) => l.trim())) cmds.push("--", ...line.trim().split(/\s+/));
      if (cmds.length) must(this.vsctl(cmds.slice(1)), `ports of ${br}`);
      const rules = join(this.dir, `${br}.flows`);
      writeFileSync(rules, v.openFlowRules);
      must(this.ofctl(br, "add-flows", [rules], v.openFlowVersion), `add-flows ${br}`);
    }
  }

  /** What topo's late-port service does when the device appears. */
  attachLatePort(name: string, bridge: string, ofport: number): void {
    must(this.vsctl(["--may-exist", "add-port", bridge, name, "--", "set", "interface", name, `ofport_request=${ofport}`]), `add-port ${name}`);
    must(this.exec("ip", ["link", "set", "dev", name, "up"]), `link up ${name}`);
  }

  /** `ovs-ofctl dump-flows` (stats stripped with --no-stats unless asked for). */
  dumpFlows(bridge: string, opts: { stats?: boolean; names?: boolean; filter?: string } = {}): string {
    const args = [...(opts.stats ? [] : ["--no-stats"]), ...(opts.names ? ["--names"] : []), ...(opts.filter ? [opts.filter] : [])];
    return must(this.ofctl(bridge, "dump-flows", args), "dump-flows").stdout;
  }

  log(which: "vswitchd" | "ovsdb" = "vswitchd"): string {
    const f = join(this.dir, `${which}.log`);
    return existsSync(f) ? readFileSync(f, "utf8") : "";
  }

  /** Stop both daemons: ask through their own control sockets, then by the pids they wrote. */
  stop(): void {
    for (const ctl of ["vswitchd.ctl", "ovsdb.ctl"]) {
      if (existsSync(join(this.dir, ctl))) run("ovs-appctl", ["-t", join(this.dir, ctl), "exit"], { env: this.env, timeoutMs: 5000 });
    }
    for (const f of ["vswitchd.pid", "ovsdb.pid"]) {
      // The daemon removes its pidfile as it exits (asked above): it may be gone by now.
      let pid: number;
      try {
        pid = Number(readFileSync(join(this.dir, f), "utf8").trim());
      } catch {
        continue;
      }
      // Only our own daemon: the pid must still run the program that wrote the file.
      if (!pid || !ours(pid, f === "ovsdb.pid" ? "ovsdb-server" : "ovs-vswitchd")) continue;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 40 && alive(pid); i++) spawnSync("sleep", ["0.05"]);
      if (alive(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
  }
}

function ours(pid: number, program: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(program);
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
