/**
 * `npm run dev` as a real process: when wrangler dies the hard way (SIGKILL),
 * nothing it started may keep the worker's port, or the next `npm run dev`
 * fails with "Address already in use".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, ROOT } from "./wrangler-dev-launcher.ts";

let dev: ChildProcess | undefined;
afterEach(() => {
  // A failed run must not leave its processes (and ports) to the next test.
  if (dev?.pid !== undefined && dev.exitCode === null) dev.kill("SIGKILL");
});

/** The direct children of `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Whether anything accepts connections on localhost:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "localhost", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, 250))) {
    if (await check()) return true;
  }
  return false;
}

describe("npm run dev", () => {
  it("frees both ports when wrangler is killed with SIGKILL", async () => {
    const [port, mockPort] = [await freePort(), await freePort()];
    dev = spawn(process.execPath, ["--experimental-strip-types", "--disable-warning=ExperimentalWarning", "scripts/dev.ts", "--port", String(port), "--mock-port", String(mockPort)], {
      cwd: ROOT,
      stdio: "ignore",
      env: { ...process.env, PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}` },
    });
    const exited = new Promise<void>((resolve) => dev!.once("exit", () => resolve()));
    const answering = await until(async () => (await fetch(`http://localhost:${port}/no-such-route`).catch(() => undefined))?.status === 404, 60_000);
    expect(answering).toBe(true);
    expect(await listening(mockPort)).toBe(true);

    const [wrangler] = childrenOf(dev.pid!);
    expect(wrangler).toBeDefined();
    process.kill(wrangler!, "SIGKILL");
    await exited;
    // workerd, wrangler's child, would otherwise go on serving the port.
    expect(await until(async () => !(await listening(port)), 10_000)).toBe(true);
    expect(await listening(mockPort)).toBe(false);
  }, 90_000);
});
