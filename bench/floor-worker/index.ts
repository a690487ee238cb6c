/**
 * The floor under goal 3 of issue 15: the least a worker can do per send and
 * still be this design. A route reads the body and calls one Durable Object;
 * the object makes one vendor call (the mock's sendbytemplate, at
 * VENDOR_SEND_URL, token included) and answers with the vendor's answer.
 * `?durable` adds what no send that must never lose a recipient can skip: a
 * row written before the vendor call (committed before the call leaves, by
 * the output gate) and rewritten after it (committed before the answer).
 * `?durable=grouped` makes those writes in the object's commit turns
 * (worker/durable/commit-group.ts), so sends in flight share commits as
 * dingtalk-edge's do.
 *
 * No admission, no quotas, no record, no validation: none of dingtalk-edge's
 * own work. bench/worker-latency.bench.ts runs it in `wrangler dev` beside
 * the real worker, with the same clients, so its ratio to its own ingress
 * says how much of the gap to the goal the platform leaves for the code.
 */
import { DurableObject } from "cloudflare:workers";
import { CommitGroup } from "../../worker/durable/commit-group.ts";

/** What a floor send stores: nothing, a row before and after the vendor call, or the same in commit turns. */
type FloorStorage = "none" | "durable" | "grouped";

interface FloorEnv {
  FLOOR_SENDER: DurableObjectNamespace<FloorSender>;
  VENDOR_SEND_URL: string;
}

export class FloorSender extends DurableObject<FloorEnv> {
  readonly #commitGroup = new CommitGroup();

  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS sends (id INTEGER PRIMARY KEY, answer TEXT)");
  }

  async send(body: string, storage: FloorStorage): Promise<string> {
    if (storage === "grouped") await this.#commitGroup.turn();
    const id = storage !== "none" ? this.ctx.storage.sql.exec<{ id: number }>("INSERT INTO sends (answer) VALUES (NULL) RETURNING id").one().id : undefined;
    const response = await fetch(this.env.VENDOR_SEND_URL, { method: "POST", headers: { "content-type": "application/json" }, body });
    const answer = await response.text();
    if (storage === "grouped") await this.#commitGroup.turn();
    if (id !== undefined) this.ctx.storage.sql.exec("UPDATE sends SET answer = ? WHERE id = ?", answer, id);
    return answer;
  }
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== "POST" || url.pathname !== "/send") return new Response("not found", { status: 404 });
    const durable = url.searchParams.get("durable");
    const storage: FloorStorage = durable === null ? "none" : durable === "grouped" ? "grouped" : "durable";
    const answer = await env.FLOOR_SENDER.getByName("one").send(await request.text(), storage);
    return new Response(answer, { status: 201, headers: { "content-type": "application/json" } });
  },
} satisfies ExportedHandler<FloorEnv>;
