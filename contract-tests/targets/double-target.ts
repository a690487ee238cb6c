import { MockAdminClient, type ClockView } from "../../mock-server/admin-client.ts";
import {
  DEFAULT_APPROVED_TEMPLATE_ID,
  DEFAULT_CORP_ID,
  DEFAULT_DEMO_DEPT_ID,
  DEFAULT_INTERNAL_APP,
  DEFAULT_PENDING_TEMPLATE_ID,
  DEFAULT_SUITE,
  DEFAULT_THIRD_PARTY_AGENT_ID,
  generatedUserId,
} from "../../mock-server/world/default-world.ts";
import {
  CaseCannotRun,
  causeOf,
  TargetUnavailableError,
  type ContractApp,
  type ContractControl,
  type ContractFixtures,
  type ContractTarget,
} from "../contract-target.ts";
import { checkTarget } from "../target-check.ts";

/** Where the suite's limit scenarios start: mid-morning China time, far from a day boundary. */
const SCENARIO_START = "2026-11-25T02:00:00.000Z";

/** Letters, digits, ".", "_" and "-", as the mock's world names. */
const WORLD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface DoubleTargetOptions {
  name: string;
  /** The double's base URL; a world's (`http://127.0.0.1:3000/w/job-41`) works as is. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Send as the default world's internal app (1431xx codes, the default) or its third-party app (1432xx). */
  appKind?: "internal" | "thirdParty";
  app?: ContractApp;
  fixtures?: Partial<ContractFixtures>;
  /**
   * Employees the limit cases send to in bulk, beyond `fixtures.userIds`: a
   * list (at least 5,001 distinct ids for every case to run) or a function
   * from a count to that many ids. Default: the mock's `u00001`…`u10000`.
   */
  bulkUserIds?: readonly string[] | ((count: number) => readonly string[]);
  /**
   * Run in a world of the run's own instead of the one at `baseUrl`: created
   * with `PUT <baseUrl>/__admin/worlds/<name>` before the cases and dropped
   * after them, so a shared double is left exactly as found. `true` picks a
   * name. `baseUrl` must then be the double's root, not a world's.
   */
  freshWorld?: boolean | string;
}

/**
 * A DingTalk double that speaks this project's /__admin API (the mock, or any
 * double that serves the routes contract-tests/README.md lists), seeded with
 * the documented default world. Without them, the limit scenarios are skipped
 * with the reason. Throws `TargetUnavailableError`, naming the URL and the
 * answer, when the double cannot be used at all.
 *
 * Steering changes the double: the run resets it and freezes its clock. The
 * target's `control.restore()` (called by `runContract` and
 * `describeContract`) puts the clock and settings back, or drops the fresh
 * world; the rest of a reset world (its journal, inboxes, quotas) starts over.
 */
export async function doubleTarget(options: DoubleTargetOptions): Promise<ContractTarget> {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const root = options.baseUrl.replace(/\/+$/, "");
  const world = options.freshWorld ? await createFreshWorld(fetchFn, root, options.freshWorld) : undefined;
  const baseUrl = world ? world.baseUrl : root;
  try {
    const admin = new MockAdminClient(fetchFn, baseUrl);
    const steering = await probeSteering(fetchFn, baseUrl);
    const control = steering.ok ? steer(admin, bulkIds(options.bulkUserIds), world?.drop) : undefined;
    const target: ContractTarget = {
      name: options.name,
      baseUrl,
      fetch: fetchFn,
      app: options.app ?? defaultApp(options.appKind),
      fixtures: {
        approvedTemplateId: DEFAULT_APPROVED_TEMPLATE_ID,
        pendingTemplateId: DEFAULT_PENDING_TEMPLATE_ID,
        userIds: ["123", "456"],
        deptId: DEFAULT_DEMO_DEPT_ID,
        data: { name: "Contract", name2: "https://example.com" },
        ...options.fixtures,
      },
      ...(control ? { control } : steering.ok ? {} : { controlMissing: steering.why }),
    };
    // Before anything is changed: a double that cannot give a token is left alone.
    await checkTarget(target);
    await control?.reset();
    return target;
  } catch (error) {
    await world?.drop().catch(() => undefined);
    throw error;
  }
}

function defaultApp(kind: DoubleTargetOptions["appKind"]): ContractApp {
  return kind === "thirdParty"
    ? { kind: "thirdParty", agentId: DEFAULT_THIRD_PARTY_AGENT_ID, corpId: DEFAULT_CORP_ID, ...DEFAULT_SUITE }
    : { kind: "internal", ...DEFAULT_INTERNAL_APP };
}

/** The bulk employees as a checked function: distinct, and enough of them, or the case is skipped saying so. */
function bulkIds(given: DoubleTargetOptions["bulkUserIds"]): (count: number) => string[] {
  if (given !== undefined && typeof given !== "function") {
    const ids = [...given];
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) throw new TypeError(`bulkUserIds must be distinct: "${duplicate}" appears twice`);
    if (ids.some((id) => typeof id !== "string" || id === "" || id.includes(","))) throw new TypeError("bulkUserIds must be non-empty user ids without commas");
  }
  return (count) => {
    const ids = given === undefined ? Array.from({ length: count }, (_, i) => generatedUserId(i + 1)) : typeof given === "function" ? [...given(count)] : given.slice(0, count);
    if (ids.length < count) throw new CaseCannotRun(`this case sends to ${count} employees and the target's bulkUserIds hold ${ids.length}`);
    if (new Set(ids).size !== ids.length) throw new TypeError(`bulkUserIds(${count}) returned the same id twice`);
    return ids.slice(0, count);
  };
}

/**
 * Whether the double serves the steering routes, read-only: the clock, and the
 * settings the run must put back. `why` says what answered instead.
 */
async function probeSteering(fetchFn: typeof fetch, baseUrl: string): Promise<{ ok: true } | { ok: false; why: string }> {
  for (const path of ["/__admin/clock", "/__admin/settings"]) {
    const url = `${baseUrl}${path}`;
    let response: Response;
    try {
      response = await fetchFn(url);
    } catch (error) {
      throw new TargetUnavailableError(`cannot reach ${baseUrl}: GET ${url} failed: ${causeOf(error)}`, { cause: error });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const fits = path.endsWith("clock") ? typeof (body as ClockView | undefined)?.nowMs === "number" : typeof body === "object" && body !== null;
    if (response.status !== 200 || !fits) return { ok: false, why: `GET ${url} answered HTTP ${response.status}: ${text.trim().slice(0, 200) || "an empty body"}` };
  }
  return { ok: true };
}

/** The steering of one double, remembering what the first reset changes so `restore` can put it back. */
function steer(admin: MockAdminClient, bulkUserIds: (count: number) => string[], dropWorld?: () => Promise<void>): ContractControl {
  let saved: { clock: ClockView; settings: Record<string, unknown>; at: number } | undefined;
  return {
    async reset() {
      if (!saved && !dropWorld) saved = { clock: await admin.clock(), settings: (await admin.settings()) as unknown as Record<string, unknown>, at: Date.now() };
      await admin.reset();
      await admin.setClock(SCENARIO_START);
      await admin.freezeClock(true);
      // The suite sends faster than the vendor's 20 calls a second.
      await admin.updateSettings({ qpsPerAppPerApi: null });
    },
    async advanceClock(ms) {
      await admin.advanceClock(ms);
    },
    async setClock(iso) {
      await admin.setClock(iso);
    },
    async now() {
      return (await admin.clock()).nowMs;
    },
    bulkUserIds,
    async restore() {
      if (dropWorld) return dropWorld();
      if (!saved) return;
      const { clock, settings, at } = saved;
      saved = undefined;
      await admin.updateSettings(settings);
      // A running clock moved on while the run had it frozen: give it back where it would be now.
      await admin.setClock(clock.nowMs + (clock.frozen ? 0 : Date.now() - at));
      await admin.freezeClock(clock.frozen);
    },
  };
}

/** Creates the run's own world under the double's root; `drop` forgets it again. */
async function createFreshWorld(fetchFn: typeof fetch, root: string, wanted: true | string): Promise<{ baseUrl: string; drop: () => Promise<void> }> {
  if (/\/w\/[^/]+$/.test(root)) throw new TypeError(`freshWorld creates its own world under the double's root: give the root URL, not a world's (${root})`);
  const name = wanted === true ? `contract-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` : wanted;
  if (!WORLD_NAME.test(name)) throw new TypeError(`"${name}" is not a world name: use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  const url = `${root}/__admin/worlds/${name}`;
  let response: Response;
  try {
    response = await fetchFn(url, { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" });
  } catch (error) {
    throw new TargetUnavailableError(`cannot reach ${url}: ${causeOf(error)}`, { cause: error });
  }
  if (!response.ok) {
    throw new TargetUnavailableError(`cannot create a fresh world: PUT ${url} answered HTTP ${response.status}: ${(await response.text()).trim().slice(0, 300) || "an empty body"}`);
  }
  await response.body?.cancel();
  return {
    baseUrl: `${root}/w/${name}`,
    async drop() {
      const dropped = await fetchFn(url, { method: "DELETE" });
      await dropped.body?.cancel();
      if (!dropped.ok && dropped.status !== 404) throw new Error(`could not drop the run's world: DELETE ${url} answered HTTP ${dropped.status}`);
    },
  };
}
