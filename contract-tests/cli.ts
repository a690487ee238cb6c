import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runContract, type CaseResult } from "./run-contract.ts";
import { doubleTarget } from "./targets/double-target.ts";

const usage = (command: string) => `Usage: ${command} --target <base URL> [--app internal|thirdParty] [--json]

Runs the DingTalk work-notification contract against a running double (or
anything that answers at that base URL) and prints a pass/fail table. A double
that serves this project's /__admin API also runs the limit scenarios; they
reset it, so do not point this at a double others are using.

Exit codes: 0 all passed (skips allowed), 1 a case failed, 2 bad flags or an unreachable target.`;

/**
 * `npm run contract` and `dingtalk-edge contract`: parses `argv` (the arguments
 * after the command), runs the contract and sets `process.exitCode` (0 all
 * passed, 1 a case failed). A bad flag or an unreachable target prints the
 * problem and exits the process with code 2.
 */
export async function runContractCli(argv: string[], command = "npm run contract --"): Promise<void> {
  function fail(message: string): never {
    console.error(`contract: ${message}\n\n${usage(command)}`);
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
  if (values.app !== "internal" && values.app !== "thirdParty") fail(`--app must be internal or thirdParty, not "${values.app}"`);
  await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((error: Error) => fail(`cannot reach ${url.origin}: ${error.cause instanceof Error ? error.cause.message : error.message}`));

  const target = await doubleTarget({ name: url.origin, baseUrl: url.toString().replace(/\/$/, ""), appKind: values.app });
  const results = await runContract(target);
  if (values.json) console.log(JSON.stringify({ target: url.origin, results }, null, 2));
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
