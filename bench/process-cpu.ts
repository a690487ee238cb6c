/**
 * CPU time spent by each process of a `wrangler dev` run, read from /proc
 * (Linux only), so a benchmark can say per request where the machine's time
 * went: wrangler's own Node process, its proxy workerd (which owns the public
 * port), the workerd that runs the worker and its Durable Objects, and the
 * benchmark's process. On a 2-core machine they all share the cores, so a
 * requests/s figure is as much theirs as the worker's.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime: 100 on every Linux build we run on (USER_HZ). */
const TICKS_PER_SECOND = 100;

export interface ProcessRole {
  pid: number;
  role: string;
}

/** CPU (user + system) a process has used so far, in ms; undefined once it is gone or without /proc. */
export function processCpuMs(pid: number): number | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * The processes of wrangler's process group, named by what they do. The
 * worker's workerd is the one wrangler gives an inspector; the other serves
 * the public port and forwards every request to it.
 */
export function wranglerProcesses(groupId: number): ProcessRole[] {
  let listing: string;
  try {
    listing = execFileSync("ps", ["-e", "-o", "pid=,pgid=,comm="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const roles: ProcessRole[] = [];
  for (const line of listing.trim().split("\n")) {
    const [pid, pgid, comm] = line.trim().split(/\s+/);
    if (Number(pgid) !== groupId || !pid || !comm) continue;
    if (comm === "workerd") {
      const commandLine = readCommandLine(Number(pid));
      roles.push({ pid: Number(pid), role: commandLine.includes("--inspector-addr") ? "workerd: the worker and its objects" : "workerd: wrangler's proxy" });
    } else if (comm === "node") {
      roles.push({ pid: Number(pid), role: "wrangler (node)" });
    } else {
      roles.push({ pid: Number(pid), role: comm });
    }
  }
  return roles;
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** CPU used by each process between `start()` and `stop()`, in ms, summed per role. */
export function cpuMeter(processes: readonly ProcessRole[]): { start(): void; stop(): Map<string, number> } {
  let before: (number | undefined)[] = [];
  let selfBefore = process.cpuUsage();
  return {
    start() {
      before = processes.map((p) => processCpuMs(p.pid));
      selfBefore = process.cpuUsage();
    },
    stop() {
      const used = new Map<string, number>();
      processes.forEach((p, i) => {
        const now = processCpuMs(p.pid);
        const then = before[i];
        if (now === undefined || then === undefined) return;
        used.set(p.role, (used.get(p.role) ?? 0) + now - then);
      });
      const self = process.cpuUsage(selfBefore);
      used.set("this benchmark (client and mock)", (self.user + self.system) / 1000);
      return used;
    },
  };
}
