import { parseArgs } from "node:util";
import { runContract, type CaseResult } from "./run-contract.ts";
import { doubleTarget } from "./targets/double-target.ts";

const USAGE = `Usage: npm run contract -- --target <base URL> [--app internal|thirdParty] [--json]

Runs the DingTalk work-notification contract against a running double (or
anything that answers at that base URL) and prints a pass/fail table. A double
that serves this project's /__admin API also runs the limit scenarios; they
reset it, so do not point this at a double others are using.

Exit codes: 0 all passed (skips allowed), 1 a case failed, 2 bad flags or an unreachable target.`;

function fail(message: string): never {
  console.error(`contract: ${message}\n\n${USAGE}`);
  process.exit(2);
  throw new Error("unreachable");
}

async function main(): Promise<void> {
  let values;
  try {
    values = parseArgs({
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
    console.log(USAGE);
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

await main();
