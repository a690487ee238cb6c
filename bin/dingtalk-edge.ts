#!/usr/bin/env node
/**
 * `dingtalk-edge`, the package's command: `mock` runs the mock DingTalk on
 * HTTP, `contract` runs the contract against a running double. Each command is
 * the same code as `npm run mock` and `npm run contract` in this repository.
 */
import { runContractCli } from "../contract-tests/cli.ts";
import { runMockCli } from "../mock-server/cli.ts";

const USAGE = `Usage: dingtalk-edge <command> [options]

A faithful local double of DingTalk's work-notification API, and its contract.

Commands:
  mock       run the mock DingTalk on HTTP (port 3000 unless --port)
  contract   run the contract against a running double: --target <base URL>

Options:
  -h, --help   show this help

"dingtalk-edge <command> --help" shows the options of a command.
Exit codes: 0 ok, 1 a contract case failed, 2 bad flags or a target that cannot be used.`;

const COMMANDS: Record<string, (argv: string[], command: string) => Promise<void>> = {
  mock: runMockCli,
  contract: runContractCli,
};

const [command, ...rest] = process.argv.slice(2);
if (command === undefined) {
  console.error(`dingtalk-edge: a command is required\n\n${USAGE}`);
  process.exitCode = 2;
} else if (command === "-h" || command === "--help" || command === "help") {
  console.log(USAGE);
} else if (Object.hasOwn(COMMANDS, command)) {
  await COMMANDS[command]!(rest, `dingtalk-edge ${command}`);
} else {
  const what = command.startsWith("-") ? "option" : "command";
  console.error(`dingtalk-edge: unknown ${what} "${command}" (commands: ${Object.keys(COMMANDS).join(", ")})\n\n${USAGE}`);
  process.exitCode = 2;
}
