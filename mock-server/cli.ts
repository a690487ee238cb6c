import { realpathSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startMockServer } from "./node-server.ts";
import { DEFAULT_WORLD_LIMITS } from "./hosting/world-catalog.ts";
import { WorldSeed } from "./world/world-schema.ts";

const usage = (command: string) => `Usage: ${command} [options]

Runs the mock DingTalk on HTTP. Paths under /w/<name>/ reach world <name>,
created on first use from the options below, with its own clock, quotas,
tokens, faults, journal and inbox; every other path reaches world "default".

Options:
  --port <n>            port to listen on (default 3000; 0 picks a free one)
  --host <name>         address to bind (default 127.0.0.1)
  --world <file.json>   seed every world with this instead of the default one
  --no-default-world    start worlds empty (seed them with PUT /__admin/world)
  --clock <ISO-8601>    start each world's clock at this instant
  --frozen-clock        keep clocks still until POST /__admin/clock moves them
  --max-worlds <n>      named worlds that may exist at once, besides "default" (default 1000)
  --world-idle <min>    forget a world unused this many minutes (default 360; 0 never)
  -h, --help            show this help`;

/**
 * `npm run mock` and `dingtalk-edge mock`: parses `argv` (the arguments after
 * the command), starts the server and stops it on SIGINT or SIGTERM. A bad
 * flag prints the problem and the usage and exits the process with code 2.
 */
export async function runMockCli(argv: string[], command = "npm run mock --"): Promise<void> {
  function fail(message: string): never {
    console.error(`mock: ${message}\n\n${usage(command)}`);
    process.exit(2);
    throw new Error("unreachable");
  }

  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: "3000" },
        host: { type: "string", default: "127.0.0.1" },
        world: { type: "string" },
        "no-default-world": { type: "boolean", default: false },
        clock: { type: "string" },
        "frozen-clock": { type: "boolean", default: false },
        "max-worlds": { type: "string", default: String(DEFAULT_WORLD_LIMITS.maxWorlds) },
        "world-idle": { type: "string", default: String(DEFAULT_WORLD_LIMITS.idleMs / 60_000) },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (args.help) {
    console.log(usage(command));
    return;
  }
  const port = /^\d+$/.test(args.port) ? Number(args.port) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, not "${args.port}"`);
  if (args.clock !== undefined && Number.isNaN(Date.parse(args.clock))) fail(`--clock must be an ISO-8601 instant, not "${args.clock}"`);
  if (args.world && args["no-default-world"]) fail("--world and --no-default-world exclude each other");
  if (!/^\d+$/.test(args["max-worlds"])) fail(`--max-worlds must be a whole number, not "${args["max-worlds"]}"`);
  if (!/^\d+$/.test(args["world-idle"])) fail(`--world-idle must be a whole number of minutes, not "${args["world-idle"]}"`);

  let world: "default" | "empty" | WorldSeed = args["no-default-world"] ? "empty" : "default";
  if (args.world) {
    const text = await readFile(args.world, "utf8").catch((error: Error) => fail(`cannot read --world ${args.world}: ${error.message}`));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      fail(`--world ${args.world} is not valid JSON`);
    }
    const parsed = WorldSeed.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      fail(`--world ${args.world}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    }
    world = parsed.data;
  }

  const server = await startMockServer({
    port,
    hostname: args.host,
    world,
    clock: { start: args.clock, frozen: args["frozen-clock"] },
    worlds: { maxWorlds: Number(args["max-worlds"]), idleMs: Number(args["world-idle"]) * 60_000 },
  }).catch((error: Error) => fail(`cannot listen on ${args.host}:${port}: ${error.message}`));

  console.log(`mock DingTalk listening on ${server.url}`);
  console.log(`  vendor API   ${server.url}/topapi/message/corpconversation/sendbytemplate`);
  console.log(`  admin API    ${server.url}/__admin/journal`);
  console.log(`  OpenAPI      ${server.url}/openapi.json`);
  console.log(`  web inbox    ${server.url}/__inbox`);
  console.log(`  worlds       ${server.url}/w/<name>/… (list: ${server.url}/__admin/worlds)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

// Run as a script (`npm run mock`), not imported (`dingtalk-edge mock`).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) await runMockCli(process.argv.slice(2));
