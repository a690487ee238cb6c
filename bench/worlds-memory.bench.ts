/**
 * What many worlds cost in memory: one mock process holding 1,000 worlds, each
 * with a full journal (`journalLimit` one-recipient sends after its token
 * call), against a baseline measured in the same process: one mock with the
 * default world and nothing sent, which is mostly the default directory's
 * index (10,000 users), built once and shared by every world.
 *
 * Every send goes through the mock's in-process `fetch` (the same path as
 * HTTP without the socket), into its own world (`/w/world-N/…`), with the
 * silent limits lifted so each is delivered and leaves its task, inbox
 * message, ledger entry and journal entry. Heap is read after a full GC
 * (`--expose-gc`). A benchmark, not a test: it reports bytes and ratios and
 * asserts nothing about them; it exits 1 only if the worlds did not end up as
 * planned (`MEASUREMENT INVALID`).
 *
 * Usage: npm run bench:worlds [-- --worlds 1000] [-- --journal 1000] [-- --quick]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, platform, release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createMockDingTalk } from "../mock-server/create-mock.ts";
import { Journal } from "../mock-server/engine/journal.ts";
import { defaultSettings } from "../mock-server/settings.ts";
import { GETTOKEN_PATH, SEND_PATH } from "./mock-targets.ts";
import { fmtRatio, table } from "./report.ts";
import { settledHeap } from "./settled-heap.ts";

const { values: args } = parseArgs({
  options: {
    worlds: { type: "string" },
    journal: { type: "string" },
    quick: { type: "boolean", default: false },
  },
});
const WORLDS = whole(args.worlds ?? (args.quick ? "100" : "1000"), "--worlds");
const JOURNAL_LIMIT = whole(args.journal ?? String(defaultSettings().journalLimit), "--journal");

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with --expose-gc (npm run bench:worlds does)");
  process.exit(2);
}


const heapBefore = await settledHeap();
const mock = createMockDingTalk({
  clock: { start: "2026-11-25T02:00:00Z", frozen: true },
  settings: { qpsPerAppPerApi: null, recipientsPerMinute: 1e9, dailyMessagesPerEmployee: 1e9, duplicateContentOncePerDay: false, journalLimit: JOURNAL_LIMIT },
  worlds: { maxWorlds: WORLDS + 1, idleMs: 0 },
});
const heapBaseline = await settledHeap();
const baseline = heapBaseline - heapBefore;

// Empty worlds first: what a world costs before it does anything.
const names = Array.from({ length: WORLDS }, (_, i) => `world-${i + 1}`);
for (const name of names) mock.worlds.open(name);
const heapEmpty = await settledHeap();
const emptyWorld = (heapEmpty - heapBaseline) / WORLDS;

const started = performance.now();
let calls = 0;
for (const [index, name] of names.entries()) {
  const base = `${mock.baseUrl}/w/${name}`;
  const { access_token: token } = (await (await mock.fetch(base + GETTOKEN_PATH)).json()) as { access_token: string };
  calls++;
  for (let i = 0; i < JOURNAL_LIMIT; i++) {
    const userid = `u${String(((index * JOURNAL_LIMIT + i) % 10_000) + 1).padStart(5, "0")}`;
    const response = await mock.fetch(`${base}${SEND_PATH}?access_token=${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent_id: 123, template_id: "e27a9eed42b34a14a2xxxx", userid_list: userid, data: JSON.stringify({ name: `order ${i}`, name2: `https://example.com/orders/${i}` }) }),
    });
    const answer = (await response.json()) as { errcode: number };
    if (answer.errcode !== 0) invalid(`send ${i} in ${name} answered ${JSON.stringify(answer)}`);
    calls++;
  }
  if ((index + 1) % Math.max(1, Math.round(WORLDS / 10)) === 0) console.error(`  ${index + 1}/${WORLDS} worlds filled`);
}
const fillSeconds = (performance.now() - started) / 1000;

// Every journal is full and bounded: journalLimit entries kept, the token call dropped and counted.
for (const name of names) {
  const { journal } = mock.worlds.peek(name)!;
  if (journal.size !== JOURNAL_LIMIT || journal.dropped !== 1) invalid(`${name}: journal size ${journal.size}, dropped ${journal.dropped}`);
}
const heapFull = await settledHeap();
const fullWorld = (heapFull - heapBaseline) / WORLDS;
const rss = process.memoryUsage().rss;

// The journals' share: empty them all and see what the heap gives back.
for (const name of names) mock.worlds.peek(name)!.journal = new Journal();
const heapNoJournals = await settledHeap();
const perEntry = (heapFull - heapNoJournals) / (WORLDS * JOURNAL_LIMIT);

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} KB`;
const ratio = (value: number) => fmtRatio(value / baseline);
const rows: [string, string, string][] = [
  ["baseline: one mock, default world, nothing sent", mb(baseline), fmtRatio(1)],
  ["one more world, nothing sent", kb(emptyWorld), ratio(emptyWorld)],
  [`one world with a full journal (${JOURNAL_LIMIT} sends)`, mb(fullWorld), ratio(fullWorld)],
  ["  of which its journal", mb(perEntry * JOURNAL_LIMIT), ratio(perEntry * JOURNAL_LIMIT)],
  ["one journal entry (a one-recipient send)", `${Math.round(perEntry)} B`, ""],
  [`${WORLDS} worlds with full journals, heap`, mb(heapFull - heapBefore), ratio(heapFull - heapBefore)],
];
console.log(`\nMemory of ${WORLDS} worlds on one mock (Node ${process.version}, ${cpus()[0]?.model ?? "?"}; ${calls.toLocaleString("en")} calls in ${fillSeconds.toFixed(1)} s)\n`);
console.log(table(["", "heap", "vs baseline"], rows));
console.log(`\nprocess RSS with every world full: ${mb(rss)}`);

const out = join(dirname(fileURLToPath(import.meta.url)), "results", `worlds-memory-${new Date().toISOString().replaceAll(":", "-").replace(".", "-")}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    {
      environment: { node: process.version, platform: `${platform()} ${release()}`, cpu: cpus()[0]?.model, cores: cpus().length },
      plan: { worlds: WORLDS, journalLimit: JOURNAL_LIMIT, calls, fillSeconds },
      bytes: { baseline, emptyWorld, fullWorld, journalPerWorld: perEntry * JOURNAL_LIMIT, journalEntry: perEntry, allWorldsHeap: heapFull - heapBefore, rss },
      ratiosToBaseline: { emptyWorld: emptyWorld / baseline, fullWorld: fullWorld / baseline, allWorldsHeap: (heapFull - heapBefore) / baseline },
    },
    null,
    2,
  ),
);
console.log(`written to ${out}`);

function invalid(reason: string): never {
  console.error(`MEASUREMENT INVALID: ${reason}`);
  process.exit(1);
}

function whole(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${flag} must be a whole number of at least 1, not "${text}"`);
    process.exit(2);
  }
  return value;
}
