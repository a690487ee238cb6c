import { DurableObject } from "cloudflare:workers";
import { createMockDingTalk, type MockDingTalk } from "./create-mock.ts";
import type { MockSnapshot } from "./engine/mock-state.ts";
import { isDroppedConnection } from "./vendor/connection-drop.ts";

/**
 * The mock under wrangler: one Durable Object holds the whole simulated
 * DingTalk, so a team can host a shared staging double whose state survives
 * restarts. The Worker in front only forwards.
 */
export interface MockEnv {
  MOCK_DINGTALK: DurableObjectNamespace<MockDingTalkObject>;
}

/** Rows stay well under the 2 MB row limit of Durable Object SQLite. */
const SNAPSHOT_CHUNK_CHARS = 512 * 1024;
/** Bump when the table layout changes. */
const SCHEMA_VERSION = 1;
const DROPPED_HEADER = "x-mock-dropped-connection";

export class MockDingTalkObject extends DurableObject<MockEnv> {
  readonly #mock: MockDingTalk = createMockDingTalk();

  constructor(ctx: DurableObjectState, env: MockEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      sql.exec("CREATE TABLE IF NOT EXISTS snapshot_chunks (idx INTEGER PRIMARY KEY, data TEXT NOT NULL)");
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", String(SCHEMA_VERSION));
      const chunks = sql.exec<{ data: string }>("SELECT data FROM snapshot_chunks ORDER BY idx").toArray();
      if (chunks.length > 0) this.#mock.state.restore(JSON.parse(chunks.map((row) => row.data).join("")) as MockSnapshot);
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const response = await this.#mock.app.fetch(request);
    if (changesState(request)) this.#persist();
    if (isDroppedConnection(response)) return new Response(null, { status: 599, headers: { [DROPPED_HEADER]: "1" } });
    return response;
  }

  /** Write-through: the answer leaves only after its effects are stored (the output gate waits for the write). */
  #persist(): void {
    const json = JSON.stringify(this.#mock.state.snapshot());
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec("DELETE FROM snapshot_chunks");
      for (let idx = 0; idx * SNAPSHOT_CHUNK_CHARS < json.length; idx++) {
        sql.exec("INSERT INTO snapshot_chunks (idx, data) VALUES (?, ?)", idx, json.slice(idx * SNAPSHOT_CHUNK_CHARS, (idx + 1) * SNAPSHOT_CHUNK_CHARS));
      }
    });
  }
}

/** Reads of the admin API and the OpenAPI document change nothing; every vendor call at least journals. */
function changesState(request: Request): boolean {
  if (request.method !== "GET") return true;
  const path = new URL(request.url).pathname;
  return !path.startsWith("/__admin/") && path !== "/openapi.json";
}

export default {
  async fetch(request: Request, env: MockEnv): Promise<Response> {
    const stub = env.MOCK_DINGTALK.get(env.MOCK_DINGTALK.idFromName("default"));
    const response = await stub.fetch(request);
    if (response.headers.has(DROPPED_HEADER)) {
      // Workers cannot reset a connection; a body that fails mid-stream is the closest a client can see.
      const failing = new ReadableStream({ start: (controller) => controller.error(new Error("connection dropped by mock fault")) });
      return new Response(failing, { status: 200, headers: { "content-type": "application/json" } });
    }
    return response;
  },
} satisfies ExportedHandler<MockEnv>;
