import type { Hono } from "hono";
import { MockAdminClient } from "./admin-client.ts";
import type { MockState } from "./engine/mock-state.ts";
import { createMockHost } from "./hosting/host-app.ts";
import { MemoryWorlds } from "./hosting/memory-worlds.ts";
import type { WorldLimits } from "./hosting/world-catalog.ts";
import { WorldFactory, type WorldTemplate } from "./hosting/world-factory.ts";
import { DEFAULT_WORLD_NAME, worldBasePath } from "./hosting/world-names.ts";
import type { MockSettingsPatch } from "./settings-types.ts";
import { ConnectionDroppedError, isDroppedConnection } from "./vendor/connection-drop.ts";

export interface MockDingTalkOptions extends Omit<WorldTemplate, "settings"> {
  /** Behaviour switches for every world, over the documented defaults (see `MockSettings`). */
  settings?: MockSettingsPatch;
  /** How many worlds may exist at once and when idle ones are forgotten. */
  worlds?: Partial<WorldLimits>;
}

/** One world of a mock, as a test file uses it: its own base URL and admin client. */
export interface MockWorldHandle {
  name: string;
  /** The mock's in-process `fetch` (the same for every world). */
  fetch: typeof fetch;
  /** Give this to clients and SDKs as their base URL (with the mock's `fetch` in-process). */
  baseUrl: string;
  admin: MockAdminClient;
  /** The world's state, created on first use, for tests that look inside. */
  readonly state: MockState;
}

export interface MockDingTalk {
  /** A `fetch` that reaches the mock with no socket; any host name works. A dropped connection rejects. */
  fetch: typeof fetch;
  /** The base URL of the default world, to give clients together with `fetch`. */
  baseUrl: string;
  /** Typed helpers over /__admin, for the default world and the list of worlds. */
  admin: MockAdminClient;
  /** The Hono app in front of every world. */
  app: Hono;
  /** The default world's state, for tests that look inside. */
  readonly state: MockState;
  /** Every world this mock holds. */
  worlds: MemoryWorlds;
  /** A world other than the default one, reached under `/w/<name>`. */
  world(name: string): MockWorldHandle;
}

export const IN_PROCESS_BASE_URL = "http://mock-dingtalk.local";

/**
 * A mock DingTalk in this process. Its options are the template of every
 * world: the default one (unprefixed paths) and each `/w/<name>` world
 * created on first use.
 */
export function createMockDingTalk(options: MockDingTalkOptions = {}): MockDingTalk {
  const worlds = new MemoryWorlds(new WorldFactory(options), options.worlds);
  worlds.open(DEFAULT_WORLD_NAME);
  const app = createMockHost(worlds);
  const fetchMock = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await abortable(app.fetch(request), request.signal);
    if (isDroppedConnection(response)) throw new ConnectionDroppedError();
    return response;
  }) as typeof fetch;
  const handle = (name: string): MockWorldHandle => {
    const baseUrl = IN_PROCESS_BASE_URL + worldBasePath(name);
    return {
      name,
      fetch: fetchMock,
      baseUrl,
      admin: new MockAdminClient(fetchMock, baseUrl),
      get state() {
        return worlds.open(name);
      },
    };
  };
  return {
    fetch: fetchMock,
    baseUrl: IN_PROCESS_BASE_URL,
    admin: new MockAdminClient(fetchMock, IN_PROCESS_BASE_URL),
    app,
    get state() {
      return worlds.open(DEFAULT_WORLD_NAME);
    },
    worlds,
    world: handle,
  };
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
