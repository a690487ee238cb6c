/**
 * What the benchmark measures, shared by the load generator
 * (mock-server.bench.ts) and its child processes (serve-target.ts, server-time.ts).
 */
import { Hono } from "hono";
import { KeptTask } from "../mock-server/engine/kept-task.ts";
import type { MockState } from "../mock-server/engine/mock-state.ts";
import type { MockSettingsPatch } from "../mock-server/settings.ts";

export const SEND_PATH = "/topapi/message/corpconversation/sendbytemplate";

/**
 * Lifts the vendor's silent limits so every recipient takes the normal delivery
 * path (ledger check, minute window, inbox), never the throttled one.
 */
export const BENCH_MOCK_SETTINGS = {
  qpsPerAppPerApi: null,
  recipientsPerMinute: 1_000_000_000,
  dailyMessagesPerEmployee: 1_000_000_000,
  duplicateContentOncePerDay: false,
} satisfies MockSettingsPatch;

export type TargetName = "mock" | "baseline" | "baseline-parse";

/**
 * The baseline: one Hono route on @hono/node-server that reads the request
 * body (as any real handler must) and answers the shape of a successful
 * sendbytemplate. What is left above it is the mock's own work.
 */
export function createBaselineApp(): Hono {
  const app = new Hono();
  let taskId = 282632271040;
  let requestSeq = 0;
  app.post(SEND_PATH, async (c) => {
    await c.req.text();
    requestSeq += 1;
    return c.json({ errcode: 0, errmsg: "ok", task_id: taskId++, request_id: `bench${requestSeq.toString(36).padStart(8, "0")}` });
  });
  return app;
}

/**
 * The sustained benchmark's baseline: the same bare route, but it parses the
 * body as JSON and splits the recipient list, the least any handler of this
 * request must do before it can act on it. Reading the body as text alone
 * (createBaselineApp) leaves the mock's own JSON parse on the mock's side.
 */
export function createParsingBaselineApp(): Hono {
  const app = new Hono();
  let taskId = 282632271040;
  let requestSeq = 0;
  app.post(SEND_PATH, async (c) => {
    const body = (await c.req.json()) as { userid_list?: unknown };
    const recipients = typeof body.userid_list === "string" ? body.userid_list.split(",").length : 0;
    if (recipients === 0) return c.json({ errcode: 1430000, errmsg: "receivers are empty" });
    requestSeq += 1;
    return c.json({ errcode: 0, errmsg: "ok", task_id: taskId++, request_id: `bench${requestSeq.toString(36).padStart(8, "0")}` });
  });
  return app;
}

/** The default world's internal app, template and generated users (mock-server/world/default-world.ts). */
export const APP_KEY = "app-demo-key";
export const APP_SECRET = "app-demo-secret";
export const AGENT_ID = 123;
export const TEMPLATE_ID = "e27a9eed42b34a14a2xxxx";
export const USER_COUNT = 10_000;
const TEMPLATE_DATA = JSON.stringify({ name: "x", name2: "y" });

function userId(n: number): string {
  return `u${String(n).padStart(5, "0")}`;
}

/**
 * The sendbytemplate bodies a run rotates through, as the worker's client sends
 * them (JSON body, token in the query). One recipient: u00001…u10000, one each.
 * Many recipients: consecutive blocks of the 10,000 users.
 */
export function sendBodies(recipients: number): string[] {
  const bodies: string[] = [];
  const count = Math.max(1, Math.floor(USER_COUNT / recipients));
  for (let b = 0; b < count; b++) {
    const ids: string[] = [];
    for (let i = 0; i < recipients; i++) ids.push(userId(((b * recipients + i) % USER_COUNT) + 1));
    bodies.push(JSON.stringify({ agent_id: AGENT_ID, template_id: TEMPLATE_ID, userid_list: ids.join(","), data: TEMPLATE_DATA }));
  }
  return bodies;
}

/** The baseline needs no token; it gets one of the same length so both targets receive the same bytes. */
export const BASELINE_TOKEN = "0123456789abcdef0123456789abcdef";

export const GETTOKEN_PATH = `/gettoken?appkey=${APP_KEY}&appsecret=${APP_SECRET}`;

/** A successful sendbytemplate answer: errcode 0 with a numeric task_id. */
export function isSendOk(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const answer = JSON.parse(body) as { errcode?: unknown; task_id?: unknown; request_id?: unknown };
    return answer.errcode === 0 && typeof answer.task_id === "number" && typeof answer.request_id === "string";
  } catch {
    return false;
  }
}

export interface DeliveryCounts {
  tasks: number;
  delivered: number;
  forbidden: number;
  failed: number;
  invalid: number;
}

/**
 * What the mock did with every send, to show each recipient took the delivery
 * path. Tallied as each task is stored, because the task store keeps only the
 * newest `taskLimit` tasks (10,000 by default) and a load run sends more:
 * counting what it holds at the end would miss the dropped ones. Call before
 * the first send; the benchmark never resets the mock (a reset replaces the store).
 */
export function tallyDeliveries(state: MockState): () => DeliveryCounts {
  const totals: DeliveryCounts = { tasks: 0, delivered: 0, forbidden: 0, failed: 0, invalid: 0 };
  const store = state.tasks;
  const add = store.add.bind(store);
  store.add = (task, limit, budget) => {
    totals.tasks += 1;
    // Counts, not the lists: building 1,000 userids per send would load the server being measured.
    totals.delivered += task instanceof KeptTask ? task.deliveredCount : task.delivered.length;
    totals.forbidden += task instanceof KeptTask ? task.forbiddenCount : task.forbidden.length;
    totals.failed += task.failed.length;
    totals.invalid += task.invalidUserIds.length;
    add(task, limit, budget);
  };
  return () => ({ ...totals });
}
