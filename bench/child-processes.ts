/**
 * Child processes for the HTTP benchmark: waiting for their messages and
 * their exit, and how busy the machine already is before a run starts.
 */
import type { ChildProcess } from "node:child_process";
import { BASELINE_TOKEN, GETTOKEN_PATH, SEND_PATH, type TargetName } from "./mock-targets.ts";
import { machineTimes } from "./process-cpu.ts";

/** Every child started, so a failing run can stop them all. */
export const children = new Set<ChildProcess>();

export function killChildren(): void {
  for (const child of children) child.kill();
}

export function nextMessage<T extends { type: string }>(child: ChildProcess, type: T["type"], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: unknown) => {
      if (typeof message === "object" && message !== null && (message as { type?: unknown }).type === type) {
        cleanup();
        resolve(message as T);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child process exited (code ${code}) before sending "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" message from the child process within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve();
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Other processes on the machine skew every number; measure how busy it is before starting. */
export async function machineBusyShare(sampleMs: number): Promise<number> {
  const before = machineTimes();
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  const after = machineTimes();
  const all = after.all - before.all;
  return all > 0 ? (after.busy - before.busy) / all : 0;
}

/**
 * Runs a benchmark's main with its child processes cleaned up whatever
 * happens: a watchdog stops a run that hangs, Ctrl-C stops it, and a failure
 * sets the exit code after printing its stack.
 */
export async function runBench(main: () => Promise<void>, watchdogMs: number): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${watchdogMs / 1000} s; stopping`);
    killChildren();
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();
  process.once("SIGINT", () => {
    killChildren();
    process.exit(130);
  });
  try {
    await main();
  } catch (error) {
    console.error("\nbench failed:", error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  } finally {
    killChildren();
  }
}

/**
 * Waits for a target server child to say it listens, checks it is on
 * loopback, and gets the path its sends go to: with a token from the mock's
 * own /gettoken, or the baseline's fixed one.
 */
export async function readyTarget(child: ChildProcess, target: TargetName): Promise<{ url: URL; sendPath: string }> {
  const ready = await nextMessage<{ type: "ready"; url: string }>(child, "ready", 30_000);
  const url = new URL(ready.url);
  if (url.hostname !== "127.0.0.1") throw new Error(`the server must listen on 127.0.0.1, not ${url.hostname}`);
  let token = BASELINE_TOKEN;
  if (target === "mock") {
    const answer = (await (await fetch(ready.url + GETTOKEN_PATH)).json()) as { access_token?: string };
    if (!answer.access_token) throw new Error(`gettoken failed: ${JSON.stringify(answer)}`);
    token = answer.access_token;
  }
  return { url, sendPath: `${SEND_PATH}?access_token=${token}` };
}
