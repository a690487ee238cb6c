/**
 * What the mock keeps per recipient of a send, measured: heap (and array buffers) after full GCs
 * (`--expose-gc`) before and after N 1,000-recipient sends into one world,
 * over the recipients sent, against the bytes the world reports for itself
 * (`GET /__admin/worlds/:name` → memory.total). Everything the world keeps is
 * in the difference: tasks, inboxes, day ledger, journal, minute window.
 *
 * Two cases, each in a fresh mock:
 *   realistic  the vendor's limits as they are (5,000 a minute, 100 a day,
 *              same content once a day); the mock clock moves 10 s per send,
 *              so the minute window drops some, repeats (every 10th send
 *              resends the one before) drop as duplicates, and the daily cap
 *              drops more as the day fills
 *   delivered  the limits lifted, so every recipient gets an inbox copy
 * N (1,500) is below the point where inboxes (500 each) or taskLimit fill,
 * so nothing is trimmed yet: the cost per recipient at its highest.
 *
 * Started by sustained-load.bench.ts over IPC; answers once and exits.
 */
import { createMockDingTalk } from "../mock-server/create-mock.ts";
import type { MockSettingsPatch } from "../mock-server/settings.ts";
import { AGENT_ID, BENCH_MOCK_SETTINGS, GETTOKEN_PATH, SEND_PATH, TEMPLATE_ID, USER_COUNT } from "./mock-targets.ts";
import { settledHeap } from "./settled-heap.ts";

export interface RetainedStateResult {
  type: "retained-state";
  description: string;
  rows: {
    label: string;
    sends: number;
    recipients: number;
    delivered: number;
    forbidden: number;
    heapBytesPerRecipient: number;
    reportedBytesPerRecipient: number;
    reportedParts: Record<string, number>;
  }[];
  notes: string[];
}

const SENDS = 1_500;
const RECIPIENTS = 1_000;
const STEP_MS = 10_000;

const gc = (globalThis as { gc?: () => void }).gc;

function block(index: number): string {
  const ids: string[] = [];
  for (let i = 0; i < RECIPIENTS; i++) ids.push(`u${String(((index * RECIPIENTS + i) % USER_COUNT) + 1).padStart(5, "0")}`);
  return ids.join(",");
}

async function measure(label: string, settings: MockSettingsPatch): Promise<RetainedStateResult["rows"][number]> {
  const mock = createMockDingTalk({ clock: { start: "2026-11-25T02:00:00Z", frozen: true }, settings: { ...settings, qpsPerAppPerApi: null, tokenTtlSeconds: 864_000 } });
  const { access_token: token } = (await (await mock.fetch(mock.baseUrl + GETTOKEN_PATH)).json()) as { access_token: string };
  const lists = Array.from({ length: USER_COUNT / RECIPIENTS }, (_, i) => block(i));
  const before = await settledHeap();
  const reportedBefore = mock.state.bytes().total;
  let delivered = 0;
  let forbidden = 0;
  for (let i = 0; i < SENDS; i++) {
    // Every 10th send repeats the one before: same recipients, same data.
    const n = i % 10 === 9 ? i - 1 : i;
    const body = JSON.stringify({
      agent_id: AGENT_ID,
      template_id: TEMPLATE_ID,
      userid_list: lists[n % lists.length],
      data: JSON.stringify({ name: `order ${n}`, name2: `https://example.com/orders/${n}` }),
    });
    const answer = (await (await mock.fetch(`${mock.baseUrl}${SEND_PATH}?access_token=${token}`, { method: "POST", headers: { "content-type": "application/json" }, body })).json()) as {
      errcode: number;
      task_id: number;
    };
    if (answer.errcode !== 0) throw new Error(`${label}: send ${i} answered ${JSON.stringify(answer)}`);
    const task = mock.state.tasks.get(answer.task_id)!;
    delivered += task.deliveredCount;
    forbidden += task.forbiddenCount;
    await mock.admin.advanceClock(STEP_MS);
  }
  if (mock.state.tasks.size !== SENDS) throw new Error(`${label}: ${mock.state.tasks.size} tasks kept, expected ${SENDS}`);
  const after = await settledHeap();
  const bytes = mock.state.bytes();
  const recipients = SENDS * RECIPIENTS;
  const { total, ...parts } = bytes;
  const result = {
    label,
    sends: SENDS,
    recipients,
    delivered,
    forbidden,
    heapBytesPerRecipient: (after - before) / recipients,
    reportedBytesPerRecipient: (total - reportedBefore) / recipients,
    reportedParts: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v / recipients])),
  };
  return result;
}

async function main(): Promise<void> {
  if (!gc) throw new Error("run with --expose-gc");
  const rows = [
    await measure("realistic: the vendor's limits, some recipients dropped", { recipientsPerMinute: 5_000 }),
    await measure("delivered: limits lifted, every recipient in an inbox", BENCH_MOCK_SETTINGS),
  ];
  const notes = rows.map(
    (row) =>
      `${row.label.split(":")[0]}: ${row.sends.toLocaleString("en-US")} sends, ${row.delivered.toLocaleString("en-US")} delivered, ` +
      `${row.forbidden.toLocaleString("en-US")} dropped; reported per recipient: ` +
      Object.entries(row.reportedParts)
        .map(([part, bytes]) => `${part} ${bytes.toFixed(1)}`)
        .join(", "),
  );
  const result: RetainedStateResult = {
    type: "retained-state",
    description: `${SENDS.toLocaleString("en-US")} sends of ${RECIPIENTS.toLocaleString("en-US")} recipients in one world, heap and array buffers after full GCs before and after, per recipient sent`,
    rows,
    notes,
  };
  process.send!(result, () => process.exit(0));
}

if (!process.send) {
  console.error("retained-state: started by sustained-load.bench.ts over IPC (child_process.fork), not by hand");
  process.exit(2);
}
main().catch((error: unknown) => {
  console.error("retained-state:", error instanceof Error ? error.stack : error);
  process.exit(1);
});
