/**
 * CPU time spent by each process of a `wrangler dev` run, read from /proc
 * (Linux only), so a benchmark can say per request where the machine's time
 * went: wrangler's own Node process, its proxy workerd (which owns the public
 * port), the workerd that runs the worker and its Durable Objects, and the
 * benchmark's process. On a 2-core machine they all share the cores, so a
 * requests/s figure is as much theirs as the worker's.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

/** Clock ticks per second of /proc's utime and stime: 100 on every Linux build we run on (USER_HZ). */
const TICKS_PER_SECOND = 100;

export interface ProcessRole {
  pid: number;
  role: string;
}

/** CPU (user + system) a process has used so far, in ms (one thread's, given its `statFile`); undefined once it is gone or without /proc. */
export function processCpuMs(pid: number, statFile = `/proc/${pid}/stat`): number | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const stat = readFileSync(statFile, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The role of the workerd that runs the worker and its Durable Objects. */
export const WORKER_ROLE = "workerd: the worker and its objects";

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
      roles.push({ pid: Number(pid), role: commandLine.includes("--inspector-addr") ? WORKER_ROLE : "workerd: wrangler's proxy" });
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

/** CPU (user + system) each thread of a process has used so far, in ms, by thread id; empty once it is gone. */
export function threadCpuMs(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  let ids: string[];
  try {
    ids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const id of ids) {
    const used = processCpuMs(Number(id), `/proc/${pid}/task/${id}/stat`);
    if (used !== undefined) threads.set(Number(id), used);
  }
  return threads;
}

/** What a phase cost, by process role: CPU ms in all, and the busiest thread's CPU ms (one thread runs a workerd's event loop). */
export interface PhaseCpu {
  used: Map<string, number>;
  busiestThread: Map<string, number>;
  /** Share of all the machine's cores busy during the phase, from 0 to 1. */
  machineBusy: number;
  elapsedMs: number;
}

/** CPU used by each process between `start()` and `stop()`, in ms, summed per role; and the busiest thread of each. */
export function cpuMeter(processes: readonly ProcessRole[]): { start(): void; stop(): PhaseCpu } {
  let before: (number | undefined)[] = [];
  let threadsBefore: Map<number, number>[] = [];
  let selfBefore = process.cpuUsage();
  let machineBefore = machineTimes();
  let startedAt = performance.now();
  return {
    start() {
      before = processes.map((p) => processCpuMs(p.pid));
      threadsBefore = processes.map((p) => threadCpuMs(p.pid));
      selfBefore = process.cpuUsage();
      machineBefore = machineTimes();
      startedAt = performance.now();
    },
    stop() {
      const elapsedMs = performance.now() - startedAt;
      const used = new Map<string, number>();
      const busiestThread = new Map<string, number>();
      processes.forEach((p, i) => {
        const now = processCpuMs(p.pid);
        const then = before[i];
        if (now === undefined || then === undefined) return;
        used.set(p.role, (used.get(p.role) ?? 0) + now - then);
        let busiest = 0;
        for (const [id, ms] of threadCpuMs(p.pid)) busiest = Math.max(busiest, ms - (threadsBefore[i]!.get(id) ?? 0));
        busiestThread.set(p.role, Math.max(busiestThread.get(p.role) ?? 0, busiest));
      });
      const self = process.cpuUsage(selfBefore);
      used.set("this benchmark (client and mock)", (self.user + self.system) / 1000);
      const machine = machineTimes();
      const all = machine.all - machineBefore.all;
      return { used, busiestThread, machineBusy: all > 0 ? (machine.busy - machineBefore.busy) / all : Number.NaN, elapsedMs };
    },
  };
}

/** Busy and total time of all the machine's cores so far, in ms. */
export function machineTimes(): { busy: number; all: number } {
  let busy = 0;
  let all = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    all += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, all };
}
