import { streamSSE } from "hono/streaming";
import type { MockEvent } from "../engine/mock-events.ts";
import type { DocumentedRoutes } from "./route-registry.ts";
import type { WorldEnv } from "../world-bindings.ts";

/** Heartbeats keep proxies from closing an idle stream and let the server notice a gone client. */
const HEARTBEAT_MS = 15_000;

export function liveRoutes(routes: DocumentedRoutes<WorldEnv>): void {
  routes.add(
    {
      method: "get",
      path: "/__admin/events",
      summary: "Server-sent events: one `call` event per vendor call answered (seq, endpoint, errcode, task_id of a send).",
    },
    (c) =>
      streamSSE(c, async (stream) => {
        const state = c.env.world;
        const queue: MockEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = state.events.subscribe((event) => {
          queue.push(event);
          wake?.();
        });
        let open = true;
        stream.onAbort(() => {
          open = false;
          unsubscribe();
          wake?.();
        });
        await stream.writeSSE({ event: "hello", data: JSON.stringify({ seq: state.journal.lastSeq }) });
        while (open) {
          while (queue.length > 0) {
            const event = queue.shift()!;
            if (event.type === "world-dropped" || event.type === "world-replaced") {
              // The world is gone (or a new one took its name): say so and end the stream.
              await stream.writeSSE({ event: event.type, data: "{}" });
              open = false;
              break;
            }
            await stream.writeSSE({ event: event.type, id: String(event.seq), data: JSON.stringify(event) });
          }
          if (!open) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, HEARTBEAT_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
          if (open && queue.length === 0) await stream.write(": heartbeat\n\n");
        }
        unsubscribe();
      }),
  );
}
