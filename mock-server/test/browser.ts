import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { chromium, type Browser, type LaunchOptions } from "playwright-core";

/**
 * Headless Chromium for the browser tests: Debian's `chromium` package, driven by
 * playwright-core over CDP. No browser is downloaded (`npx playwright install` can't
 * reach its CDN here); `.ci/run` installs the Debian package when it is missing.
 */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Without the background-networking switches Chromium keeps calling Google's hosts,
 * which a closed network refuses many times over. Playwright adds most of these
 * itself; they are listed so the launch does not depend on its defaults.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const MISSING_CHROMIUM_HINT = "install Debian's chromium: apt-get install chromium (.ci/run does it when run as root)";

/** `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/**
 * Launches headless Chromium. Each launch gets a fresh, empty user-data-dir: Playwright
 * makes it under the OS temp dir (`playwright_chromiumdev_profile-*`) and removes it on
 * `browser.close()` (it refuses a `--user-data-dir` flag in `args` for `launch()`).
 * Fails, never skips, when Chromium is missing. Close the browser in `afterAll`.
 */
export async function launchChromium(options: Omit<LaunchOptions, "executablePath"> = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${executablePath}` : executablePath;
    throw new Error(`No Chromium at ${where}: ${MISSING_CHROMIUM_HINT}, or set CHROMIUM_PATH to a Chromium binary.`);
  }
  try {
    return await chromium.launch({
      timeout: 30_000,
      ...options,
      executablePath,
      headless: true,
      chromiumSandbox: false,
      args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Chromium at ${executablePath} did not start (${MISSING_CHROMIUM_HINT}):\n${reason}`, { cause: error });
  }
}
