/**
 * The promise as it breaks in the field: the worker in `wrangler dev` and the
 * mock DingTalk as a Node server, each on its own real clock, nothing shared
 * but HTTP. The ledger is the mock's inboxes: nobody the worker reports
 * `sent` or `delivered` may be missing from them, nobody may get a message
 * twice, and everyone is delivered in the end.
 *
 * The vendor's minute is shortened on both sides (MINUTE_WINDOW_MS and the
 * mock's `minuteWindowMs`, testing knobs) so several windows pass in seconds;
 * REAL_PROCESS_WINDOW_MS=60000 runs the same scenarios on the real minute
 * without the knobs (as against code that has none).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startMockServer, type RunningMockServer } from "../../mock-server/node-server.ts";
import { startWorkerDev, throwAwayApiKey, type RunningWorkerDev } from "../../scripts/wrangler-dev-launcher.ts";

const WINDOW_MS = Number(process.env.REAL_PROCESS_WINDOW_MS ?? 10_000);
const KNOBS = WINDOW_MS !== 60_000;
const PER_WINDOW = 2_000;
const CORP_ID = "dingdemocorp";
const INTERNAL_AGENT_ID = 123;
const TEMPLATE_ID = "e27a9eed42b34a14a2xxxx";
const { key: API_KEY, apiKeys: API_KEYS } = throwAwayApiKey("real-process-test");
/** Time for `windows` vendor minutes to pass, with room for wrangler on a busy 2-core machine. */
const windowsTime = (windows: number) => windows * WINDOW_MS + 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const users = (from: number, count: number) => Array.from({ length: count }, (_, i) => `u${String(from + i).padStart(5, "0")}`);

interface Recipient {
  userid: string;
  status: string;
  taskId?: number;
  mayHaveBeenSent?: boolean;
  verifiedAt?: string;
}
interface RecordBody {
  id: string;
  summary: Record<string, number>;
  recipients: Recipient[];
}

let running: { mock?: RunningMockServer; workers: RunningWorkerDev[] } = { workers: [] };

afterEach(async () => {
  await Promise.allSettled([...running.workers.map((worker) => worker.stop()), running.mock?.close()]);
  running = { workers: [] };
}, 30_000);

async function startMock(): Promise<RunningMockServer> {
  running.mock = await startMockServer({
    port: 0,
    settings: { recipientsPerMinute: PER_WINDOW, ...(KNOBS ? { minuteWindowMs: WINDOW_MS } : {}) },
  });
  return running.mock;
}

async function startWorker(mock: RunningMockServer, vars: Record<string, string>, persistTo?: string): Promise<RunningWorkerDev> {
  const worker = await startWorkerDev({
    dingtalkBaseUrl: mock.url,
    apiKeys: API_KEYS,
    persistTo,
    startupTimeoutMs: 90_000,
    vars: {
      RECIPIENTS_PER_MINUTE: String(PER_WINDOW),
      QUEUE_RETRY_DELAY_MS: "1000",
      ...(KNOBS ? { MINUTE_WINDOW_MS: String(WINDOW_MS), VERIFY_AFTER_MS: "500" } : {}),
      ...vars,
    },
  });
  running.workers.push(worker);
  return worker;
}

/** A worker again on the Durable Object storage of one that was killed. */
async function restartOnSameStorage(mock: RunningMockServer, killed: RunningWorkerDev, vars: Record<string, string>): Promise<RunningWorkerDev> {
  running.workers = running.workers.filter((w) => w !== killed);
  return startWorker(mock, vars, killed.persistTo);
}

async function addFault(mock: RunningMockServer, rule: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${mock.url}/__admin/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule) });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

async function send(worker: RunningWorkerDev, userIds: string[], name: string, options: { async?: boolean } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${worker.url}/v1/notifications`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${API_KEY}`,
      "content-type": "application/json",
      ...(options.async ? { prefer: "respond-async" } : {}),
    },
    body: JSON.stringify({ corpId: CORP_ID, agentId: INTERNAL_AGENT_ID, templateId: TEMPLATE_ID, userIds, data: { name, name2: "" } }),
  });
  return { status: response.status, body: await jsonOf(response, worker) };
}

/** A send whose answer may never come (the worker is killed under it): the error instead. */
function sendTo(worker: RunningWorkerDev, userIds: string[], name: string): Promise<{ status: number; body: any } | Error> {
  return send(worker, userIds, name).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
}

/** The answer's JSON; anything else fails with what wrangler printed, which says why. */
async function jsonOf(response: Response, worker: RunningWorkerDev): Promise<any> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the worker answered ${response.status} ${text.slice(0, 300)}\n--- wrangler ---\n${worker.wrangler.output()}`);
  }
}

async function record(worker: RunningWorkerDev, id: string): Promise<RecordBody> {
  const response = await fetch(`${worker.url}/v1/notifications/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(response.status).toBe(200);
  return (await jsonOf(response, worker)) as RecordBody;
}

/**
 * Polls the record until nothing waits (queued, or sent and not yet verified
 * when `verified`). On timeout the error tells what the ledger shows so far.
 */
async function settled(worker: () => RunningWorkerDev, id: string, timeoutMs: number, verified: boolean, ledger?: { mock: RunningMockServer; name: string }): Promise<RecordBody> {
  const deadline = Date.now() + timeoutMs;
  let last: RecordBody | undefined;
  while (Date.now() < deadline) {
    last = await record(worker(), id);
    const waiting = last.recipients.filter((r) => r.status === "queued" || (verified && r.status === "sent"));
    if (waiting.length === 0) return last;
    await sleep(1_000);
  }
  const seen = ledger && last ? checkLedger(ledger.mock, last, ledger.name) : undefined;
  throw new Error(
    `notification ${id} still has recipients waiting after ${timeoutMs} ms: ${JSON.stringify(last?.summary)}` +
      (seen ? `; reported sent or delivered but missing from the inbox: ${seen.missing.length}, delivered twice: ${seen.twice.length}` : ""),
  );
}

/** How many copies of this content each employee's inbox holds. */
function inboxCopies(mock: RunningMockServer, userids: readonly string[], name: string): Map<string, number> {
  const copies = new Map<string, number>();
  for (const userid of userids) {
    const messages = mock.mock.state.inbox.of(userid).filter((m) => m.templateId === TEMPLATE_ID && m.data.name === name);
    copies.set(userid, messages.length);
  }
  return copies;
}

/** The ledger: reported sent or delivered means in the inbox, once; nobody twice. */
function checkLedger(mock: RunningMockServer, body: RecordBody, name: string): { missing: string[]; twice: string[] } {
  const copies = inboxCopies(mock, body.recipients.map((r) => r.userid), name);
  const missing = body.recipients.filter((r) => (r.status === "sent" || r.status === "delivered") && copies.get(r.userid) !== 1).map((r) => r.userid);
  const twice = [...copies].filter(([, n]) => n > 1).map(([userid]) => userid);
  return { missing, twice };
}

function expectEveryoneDeliveredOnce(mock: RunningMockServer, body: RecordBody, name: string, statuses: string[]): void {
  const { missing, twice } = checkLedger(mock, body, name);
  expect({ reportedButMissing: missing.length, deliveredTwice: twice.length }).toEqual({ reportedButMissing: 0, deliveredTwice: 0 });
  const copies = inboxCopies(mock, body.recipients.map((r) => r.userid), name);
  expect([...copies.values()].filter((n) => n !== 1)).toHaveLength(0);
  expect(body.recipients.filter((r) => !statuses.includes(r.status)).map((r) => `${r.userid}:${r.status}`)).toEqual([]);
}

describe("worker in wrangler dev against the Node mock, real clocks on both", () => {
  it(
    "drains a queue over several minute windows with 400 ms vendor latency and never sends before the vendor's window has room",
    async () => {
      const mock = await startMock();
      const worker = await startWorker(mock, { VERIFY_DELIVERY: "false" });
      await addFault(mock, { endpoint: "sendByTemplate", latencyMs: 400 });

      const accepted = await send(worker, users(1, 5_000), "windows", { async: true });
      expect(accepted.status).toBe(202);
      const final = await settled(() => worker, accepted.body.id, windowsTime(4), false);

      expectEveryoneDeliveredOnce(mock, final, "windows", ["sent"]);
      const dropped = mock.mock.state.tasks.list().flatMap((task) => task.forbidden);
      expect(dropped.map((d) => d.code)).toEqual([]);
    },
    windowsTime(4) + 120_000,
  );

  it(
    "says 'may have been sent' for a 502 that came after the vendor acted, keeps its window place, and delivers exactly once",
    async () => {
      const mock = await startMock();
      const worker = await startWorker(mock, { VERIFY_DELIVERY: "false" });
      await addFault(mock, { endpoint: "sendByTemplate", httpStatus: 502, phase: "after", times: 3 });

      const first = await send(worker, users(5_001, 1_000), "after-502");
      expect(JSON.stringify(first.body)).not.toMatch(/nothing was sent/i);
      expect(first.status).toBe(202);
      expect(first.body.recipients.every((r: Recipient) => r.status === "queued" && r.mayHaveBeenSent === true)).toBe(true);
      // The vendor delivered them: the window is not free for 2,000 more.
      const second = await send(worker, users(6_001, 2_000), "after-502-next");
      if (second.status === 201 || second.status === 202) {
        const { missing } = checkLedger(mock, second.body, "after-502-next");
        expect(missing).toEqual([]);
      } else {
        expect(second.status).toBe(429);
      }

      const final = await settled(() => worker, first.body.id, windowsTime(2), false);
      expectEveryoneDeliveredOnce(mock, final, "after-502", ["sent"]);
    },
    windowsTime(2) + 120_000,
  );

  it(
    "survives kill -9 of the worker mid-drain: restarted on the same storage, it delivers everyone exactly once, verified",
    async () => {
      const mock = await startMock();
      let worker = await startWorker(mock, { VERIFY_DELIVERY: "true" });
      await addFault(mock, { endpoint: "sendByTemplate", latencyMs: 400 });

      const accepted = await send(worker, users(1, 4_000), "killed", { async: true });
      expect(accepted.status).toBe(202);
      const id = accepted.body.id as string;
      // Kill while the drain is under way: some recipients sent, others still waiting.
      for (let body = await record(worker, id); ; body = await record(worker, id)) {
        const sent = body.recipients.filter((r) => r.status === "sent" || r.status === "delivered").length;
        if (sent > 0 && (body.summary.queued ?? 0) > 0) break;
        expect(body.summary.queued ?? 0).toBeGreaterThan(0);
        await sleep(200);
      }
      await worker.kill();
      worker = await restartOnSameStorage(mock, worker, { VERIFY_DELIVERY: "true" });

      const final = await settled(() => worker, id, windowsTime(4), true, { mock, name: "killed" });
      expectEveryoneDeliveredOnce(mock, final, "killed", ["delivered"]);
      expect(final.recipients.every((r) => typeof r.verifiedAt === "string")).toBe(true);
    },
    windowsTime(4) + 180_000,
  );

  it(
    "survives kill -9 in the middle of a synchronous send: after the restart everyone it had admitted is delivered exactly once",
    async () => {
      const mock = await startMock();
      let worker = await startWorker(mock, { VERIFY_DELIVERY: "true" });
      // Five vendor calls of 100, 1.5 s each: killed after about three.
      await addFault(mock, { endpoint: "sendByTemplate", latencyMs: 1_500 });
      const recipients = users(4_001, 500);
      const answer = send(worker, recipients, "killed-sync").catch((error: unknown) => error);
      const reached = () => recipients.filter((userid) => inboxCopies(mock, [userid], "killed-sync").get(userid) === 1).length;
      for (const deadline = Date.now() + 30_000; reached() < 200 && Date.now() < deadline; ) await sleep(100);
      expect(reached()).toBeGreaterThanOrEqual(200);
      await worker.kill();
      // The caller never got an answer.
      expect(await answer).toBeInstanceOf(Error);
      expect(reached()).toBeLessThan(500);
      await fetch(`${mock.url}/__admin/faults`, { method: "DELETE" });
      worker = await restartOnSameStorage(mock, worker, { VERIFY_DELIVERY: "true" });
      // Nothing to poll by id (the answer was lost): the object finds its own work on restart.
      // Any request to the app starts it; this one is for someone else.
      expect((await send(worker, ["123"], "wake-up")).status).toBe(201);
      for (const deadline = Date.now() + windowsTime(3); reached() < 500 && Date.now() < deadline; ) await sleep(500);
      const copies = inboxCopies(mock, recipients, "killed-sync");
      expect([...copies.values()].filter((n) => n !== 1)).toEqual([]);
    },
    windowsTime(3) + 180_000,
  );

  it(
    "survives kill -9 during a burst of concurrent sends that share commits: every admitted recipient is delivered exactly once",
    async () => {
      const mock = await startMock();
      let worker = await startWorker(mock, { VERIFY_DELIVERY: "false" });
      // The vendor holds each call 1.5 s before acting on it: the kill lands while all of them wait.
      await addFault(mock, { endpoint: "sendByTemplate", latencyMs: 1_500 });
      const burst = Array.from({ length: 30 }, (_, i) => ({ name: `burst-${i}`, recipients: users(7_001 + i * 20, 20) }));
      const answers = burst.map((send) => sendTo(worker, send.recipients, send.name));
      // A call leaves only once the commit holding its admission is durable: 30 calls at the vendor, 30 admissions stored.
      const callsAtVendor = () => mock.mock.state.faults.list()[0]?.hits ?? 0;
      for (const deadline = Date.now() + 30_000; callsAtVendor() < 30 && Date.now() < deadline; ) await sleep(20);
      expect(callsAtVendor()).toBe(30);
      await worker.kill();
      expect((await Promise.all(answers)).filter((answer) => answer instanceof Error)).toHaveLength(30);

      // The vendor may still act on calls whose caller is gone (their 1.5 s ends after the kill), or not: let those end first.
      await sleep(2_500);
      const beforeRestart = new Set(mock.mock.state.tasks.list().map((task) => task.taskId));
      await fetch(`${mock.url}/__admin/faults`, { method: "DELETE" });
      worker = await restartOnSameStorage(mock, worker, { VERIFY_DELIVERY: "false" });
      // The restarted object finds the sends it had in flight and retries them the same day: the vendor
      // delivers a retry whose first call it never acted on, and drops a repeat of one it did.
      expect((await send(worker, ["123"], "wake-up-burst")).status).toBe(201);
      const copies = () => burst.flatMap((send) => [...inboxCopies(mock, send.recipients, send.name).values()]);
      const retried = () => {
        const named = new Set<string>();
        for (const task of mock.mock.state.tasks.list()) {
          if (beforeRestart.has(task.taskId)) continue;
          for (const userid of [...task.delivered, ...task.forbidden.map((d) => d.userid)]) if (userid >= "u07001" && userid <= "u07600") named.add(userid);
        }
        return named.size;
      };
      for (const deadline = Date.now() + windowsTime(2); retried() < 600 && Date.now() < deadline; ) await sleep(500);
      expect(retried()).toBe(600);
      expect(copies().filter((n) => n !== 1)).toEqual([]);
      expect(copies()).toHaveLength(600);
    },
    windowsTime(2) + 180_000,
  );

  it(
    "verifies delivery with getsendresult and re-queues what the vendor dropped because another client spent part of the app's minute",
    async () => {
      const mock = await startMock();
      const worker = await startWorker(mock, { VERIFY_DELIVERY: "true" });
      // Another service of the same company, with the same app, straight at DingTalk.
      const token = ((await (await fetch(`${mock.url}/gettoken?appkey=app-demo-key&appsecret=app-demo-secret`)).json()) as { access_token: string }).access_token;
      const outside = async (from: number, name: string) => {
        const response = await fetch(`${mock.url}/topapi/message/corpconversation/sendbytemplate?access_token=${token}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ agent_id: INTERNAL_AGENT_ID, template_id: TEMPLATE_ID, userid_list: users(from, 600).join(","), data: JSON.stringify({ name, name2: "" }) }),
        });
        expect(((await response.json()) as { errcode: number }).errcode).toBe(0);
      };
      await outside(9_001, "outside-1");

      const accepted = await send(worker, users(1, 4_000), "shared-minute", { async: true });
      expect(accepted.status).toBe(202);
      await sleep(WINDOW_MS + 1_000);
      await outside(9_601, "outside-2");

      const final = await settled(() => worker, accepted.body.id, windowsTime(5), true, { mock, name: "shared-minute" });
      // The vendor did drop some of ours (the outside client took their place)...
      const droppedOurs = mock.mock.state.tasks.list().flatMap((task) => task.forbidden).filter((d) => d.userid <= "u04000");
      expect(droppedOurs.length).toBeGreaterThan(0);
      // ...and each of them came back in a later window.
      expectEveryoneDeliveredOnce(mock, final, "shared-minute", ["delivered"]);
      expect(final.summary.delivered).toBe(4_000);
    },
    windowsTime(5) + 120_000,
  );
});
