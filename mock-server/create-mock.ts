import type { Hono } from "hono";
import { MockAdminClient } from "./admin-client.ts";
import { createMockApp } from "./app.ts";
import { MockClock } from "./clock.ts";
import { MockState } from "./engine/mock-state.ts";
import { defaultSettings, MockSettings, type MockSettingsPatch } from "./settings.ts";
import { ConnectionDroppedError, isDroppedConnection } from "./vendor/connection-drop.ts";
import { WorldSeed, type WorldSeedInput } from "./world/world-schema.ts";

export interface MockDingTalkOptions {
  /** The world to start in: the documented default (the default), an empty one, or a seed. */
  world?: "default" | "empty" | WorldSeedInput;
  /** Behaviour switches to change from their defaults. */
  settings?: MockSettingsPatch;
  /** Where the clock starts and whether it runs; by default it runs from the real time. */
  clock?: { start?: Date | string | number; frozen?: boolean };
}

export interface MockDingTalk {
  /** A `fetch` that reaches the mock with no socket; any host name works. A dropped connection rejects. */
  fetch: typeof fetch;
  /** The base URL to give clients together with `fetch`. */
  baseUrl: string;
  /** Typed helpers over /__admin. */
  admin: MockAdminClient;
  /** The Hono app, to mount elsewhere. */
  app: Hono;
  /** The state itself, for tests that look inside. */
  state: MockState;
}

export const IN_PROCESS_BASE_URL = "http://mock-dingtalk.local";

export function createMockDingTalk(options: MockDingTalkOptions = {}): MockDingTalk {
  const clock = new MockClock({
    startMs: options.clock?.start === undefined ? undefined : new Date(options.clock.start).getTime(),
    frozen: options.clock?.frozen,
  });
  const world = options.world === undefined || options.world === "default" ? undefined : options.world === "empty" ? null : WorldSeed.parse(options.world);
  const settings = MockSettings.parse({ ...defaultSettings(), ...options.settings });
  const state = new MockState({ world, settings, clock });
  const app = createMockApp(state);
  const fetchMock = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await abortable(app.fetch(request), request.signal);
    if (isDroppedConnection(response)) throw new ConnectionDroppedError();
    return response;
  }) as typeof fetch;
  return { fetch: fetchMock, baseUrl: IN_PROCESS_BASE_URL, admin: new MockAdminClient(fetchMock, IN_PROCESS_BASE_URL), app, state };
}

/** Like a real fetch, reject as soon as the caller's signal aborts (a timeout, say), whatever the mock is doing. */
function abortable(response: Response | Promise<Response>, signal: AbortSignal): Promise<Response> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve(response).then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
