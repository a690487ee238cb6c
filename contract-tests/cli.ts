import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { TargetUnavailableError } from "./contract-target.ts";
import { runContract, type CaseResult } from "./run-contract.ts";
import { doubleTarget } from "./targets/double-target.ts";

const usage = (command: string) => `Usage: ${command} --target <base URL> [options]

Runs the DingTalk work-notification contract against a running double (or
anything that answers at that base URL) and prints a pass/fail table. A case
the target cannot run is reported SKIP with the reason, never PASS.

Options:
  --target <url>            the double's base URL; a world's works as is:
                            http://127.0.0.1:3000/w/<name>
  --app internal|thirdParty send as the default world's internal app (default)
                            or its third-party app
  --fresh-world             run in a world of its own, created under --target
                            (the double's root) and dropped at the end
  --bulk-user-ids <file>    employees for the limit cases, one id a line (at
                            least 5,001), instead of the mock's u00001…u10000
  --json                    print the results as JSON
  -h, --help                show this help

Sharing one double: a double that serves this project's /__admin API also
runs the limit cases, which reset the world they run in and freeze its clock.
The run puts the clock and settings back when it ends, but the world's
journal, inboxes and quotas start over. On a mock others use, give each run a
world of its own: --target <mock>/w/<name> (one per CI job, say), or
--fresh-world.

Exit codes: 0 all passed (skips allowed), 1 a case failed, 2 bad flags or a
target that cannot be used (the message names the URL called and its answer).`;

/**
 * `npm run contract` and `dingtalk-edge contract`: parses `argv` (the arguments
 * after the command), runs the contract and sets `process.exitCode` (0 all
 * passed, 1 a case failed). A bad flag or a target that cannot be used prints
 * the problem once and exits the process with code 2.
 */
export async function runContractCli(argv: string[], command = "npm run contract --"): Promise<void> {
  function fail(message: string, withUsage = true): never {
    console.error(`contract: ${message}${withUsage ? `\n\n${usage(command)}` : ""}`);
    process.exit(2);
    throw new Error("unreachable");
  }

  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        target: { type: "string" },
        app: { type: "string", default: "internal" },
        "fresh-world": { type: "boolean", default: false },
        "bulk-user-ids": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(usage(command));
    return;
  }
  if (!values.target) fail("--target is required");
  let url: URL;
  try {
    url = new URL(values.target);
  } catch {
    fail(`--target must be a URL, not "${values.target}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(`--target must be an http(s) URL, not "${values.target}"`);
  if (values.app !== "internal" && values.app !== "thirdParty") fail(`--app must be internal or thirdParty, not "${values.app}"`);
  const baseUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  if (values["fresh-world"] && /\/w\/[^/]+$/.test(baseUrl)) fail(`--fresh-world creates its own world under the double's root: give the root URL, not a world's (${baseUrl})`);
  let bulkUserIds: string[] | undefined;
  if (values["bulk-user-ids"] !== undefined) {
    const file = values["bulk-user-ids"];
    const text = await readFile(file, "utf8").catch((error: Error) => fail(`cannot read --bulk-user-ids ${file}: ${error.message}`));
    bulkUserIds = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    if (bulkUserIds.length === 0) fail(`--bulk-user-ids ${file} holds no ids (one a line)`);
  }

  let results: CaseResult[];
  try {
    const target = await doubleTarget({
      name: baseUrl,
      baseUrl,
      appKind: values.app,
      ...(values["fresh-world"] ? { freshWorld: true } : {}),
      ...(bulkUserIds ? { bulkUserIds } : {}),
    });
    results = await runContract(target);
  } catch (error) {
    if (error instanceof TargetUnavailableError) fail(error.message, false);
    if (error instanceof TypeError) fail(error.message);
    throw error;
  }
  if (values.json) console.log(JSON.stringify({ target: baseUrl, results }, null, 2));
  else printTable(results);
  process.exitCode = results.some((r) => r.status === "fail") ? 1 : 0;
}

function printTable(results: CaseResult[]): void {
  const mark = { pass: "PASS", fail: "FAIL", skip: "SKIP" } as const;
  const width = Math.max(...results.map((r) => r.id.length));
  for (const result of results) {
    const why = result.reason ? `  ${result.reason}` : "";
    console.log(`${mark[result.status]}  ${result.id.padEnd(width)}  ${result.known ? "" : "(vendor behaviour partly unknown) "}${why}`);
  }
  const count = (status: CaseResult["status"]) => results.filter((r) => r.status === status).length;
  console.log(`\n${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped`);
}

// Run as a script (`npm run contract`), not imported (`dingtalk-edge contract`).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await runContractCli(process.argv.slice(2));
