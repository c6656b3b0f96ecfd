/**
 * What a lab needs on the machine, and a clear refusal when it is missing: root, Linux, and each
 * component's programs with the Debian package that provides them.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface Requirement {
  /** A program name looked up in PATH, or an absolute path. */
  readonly program: string;
  /** The Debian package that installs it. */
  readonly debian: string;
  /** Which part of the lab needs it. */
  readonly for: string;
}

/** What the runtime itself uses, whatever the components. */
export const RUNTIME_REQUIREMENTS: readonly Requirement[] = [
  { program: "ip", debian: "iproute2", for: "namespaces and links" },
  { program: "unshare", debian: "util-linux", for: "private mounts for daemons" },
  { program: "nix-instantiate", debian: "nix-bin", for: "evaluating the generated modules" },
  { program: "ping", debian: "iputils-ping", for: "ICMP probes" },
  { program: "socat", debian: "socat", for: "TCP/UDP listeners and probes" },
];

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findProgram(program: string): string | undefined {
  if (program.startsWith("/")) return executable(program) ? program : undefined;
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
  for (const d of dirs) {
    const p = join(d, program);
    if (d && executable(p)) return p;
  }
  return undefined;
}

/** Problems that stop a lab from starting, each a sentence saying what to do; empty when all is there. */
export function checkRequirements(reqs: readonly Requirement[]): string[] {
  const problems: string[] = [];
  if (process.platform !== "linux") problems.push("topo verify runs only on Linux (it needs network namespaces).");
  else if (process.getuid?.() !== 0) problems.push("topo verify must run as root: it creates network namespaces and starts systemd-networkd in them (try `sudo npx topo verify`).");
  const missing = new Map<string, Requirement[]>();
  for (const r of reqs) {
    if (findProgram(r.program)) continue;
    missing.set(r.debian, [...(missing.get(r.debian) ?? []), r]);
  }
  if (missing.size) {
    const list = [...missing.entries()].map(([pkg, rs]) => `${[...new Set(rs.map((r) => r.program))].join(", ")} (Debian package ${pkg}; for ${[...new Set(rs.map((r) => r.for))].join(", ")})`);
    problems.push(`missing: ${list.join("; ")}. Install with: apt-get install -y --no-install-recommends ${[...missing.keys()].sort().join(" ")}`);
  }
  return problems;
}
