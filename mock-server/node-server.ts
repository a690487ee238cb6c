import { serve, type HttpBindings } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { createMockDingTalk, type MockDingTalk, type MockDingTalkOptions } from "./create-mock.ts";
import { isDroppedConnection } from "./vendor/connection-drop.ts";

export interface RunningMockServer {
  url: string;
  port: number;
  mock: MockDingTalk;
  close(): Promise<void>;
}

/** Serves the mock over HTTP on Node. Port 0 picks a free port. */
export function startMockServer(
  options: MockDingTalkOptions & { port?: number; hostname?: string } = {},
): Promise<RunningMockServer> {
  const mock = createMockDingTalk(options);
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        hostname,
        port: options.port ?? 0,
        fetch: async (request, env) => {
          const response = await mock.app.fetch(request, env);
          if (isDroppedConnection(response)) {
            // A dropped-connection fault: no status line, no body, just a reset socket.
            (env as HttpBindings).incoming.socket.destroy();
          }
          return response;
        },
      },
      (info: AddressInfo) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          mock,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) => (error ? fail(error) : done()));
              if ("closeAllConnections" in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
