import { exports } from "cloudflare:workers";
import { reset } from "cloudflare:test";
import { afterEach, beforeEach, vi } from "vitest";
import { ALL_APPS_KEY } from "./credentials.ts";
import { createMockDingTalk, IN_PROCESS_BASE_URL, type MockDingTalk, type MockDingTalkOptions } from "../../mock-server/create-mock.ts";

export const MORNING = "2026-11-25T02:00:00.000Z";

/**
 * How long after a send's answer its recipients leave the minute window: the
 * vendor's minute plus the worker's clock-skew guard (CLOCK_SKEW_GUARD_MS, 2 s).
 */
export const WINDOW_AND_GUARD_MS = 62_000;

const realNow = Date.now.bind(Date);
const realFetch = globalThis.fetch;
const MOCK_HOST = new URL(IN_PROCESS_BASE_URL).host;

function requestHost(input: RequestInfo | URL): string {
  return new URL(input instanceof Request ? input.url : String(input)).host;
}

/**
 * Runs `action` on real time: runtime helpers that wait (eviction drains
 * requests with a timeout) must not see the frozen mock clock.
 */
export async function onRealTime<T>(action: () => Promise<T>): Promise<T> {
  const now = vi.mocked(Date.now);
  const mockTime = now.getMockImplementation();
  now.mockImplementation(realNow);
  try {
    return await action();
  } finally {
    if (mockTime) now.mockImplementation(mockTime);
  }
}

/**
 * Each test gets a fresh mock DingTalk in this isolate; the worker's outbound
 * fetch and its clock are routed to it, so the worker and the vendor agree on
 * time and the test can move both with the mock's admin clock.
 */
export function useMockDingTalk(options: MockDingTalkOptions = {}): { readonly mock: MockDingTalk } {
  const holder = {} as { mock: MockDingTalk };
  beforeEach(() => {
    holder.mock = createMockDingTalk({ clock: { start: MORNING, frozen: true }, settings: { qpsPerAppPerApi: null }, ...options });
    // Only the vendor's calls go to the mock; the test runtime's own fetches stay real.
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) =>
      requestHost(input) === MOCK_HOST ? holder.mock.fetch(input, init) : realFetch(input, init),
    );
    vi.spyOn(Date, "now").mockImplementation(() => holder.mock.state.clock.now());
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await reset();
  });
  return holder;
}

export interface NotificationAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export async function postNotification(body: unknown, headers: Record<string, string> = {}): Promise<NotificationAnswer> {
  const response = await exports.default.fetch("http://worker/v1/notifications", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ALL_APPS_KEY}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export async function getNotification(id: string, key: string = ALL_APPS_KEY): Promise<NotificationAnswer> {
  const response = await exports.default.fetch(`http://worker/v1/notifications/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export function users(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `u${String(from + i).padStart(5, "0")}`);
}

export const TEMPLATE_ID = "e27a9eed42b34a14a2xxxx";
