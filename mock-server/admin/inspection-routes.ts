import { z } from "zod";
import { FORBIDDEN_CODE_MEANINGS } from "../../protocol/index.ts";
import { chinaDay } from "../clock.ts";
import type { MockState } from "../engine/mock-state.ts";
import type { KeptTask } from "../engine/kept-task.ts";
import { agentKey } from "../world/directory.ts";
import { InboxQuery, JournalQuery, TaskIdParam } from "./admin-schemas.ts";
import { pathParam, ProblemError, validate } from "../../protocol/problem-details.ts";
import type { DocumentedRoutes } from "./route-registry.ts";
import type { WorldEnv } from "../world-bindings.ts";

const JournalView = z.object({ entries: z.array(z.unknown()), dropped: z.number(), size: z.number() });
const InboxView = z.object({ userid: z.string(), name: z.string().optional(), messages: z.array(z.unknown()) });

export function inspectionRoutes(routes: DocumentedRoutes<WorldEnv>): void {
  routes.add(
    {
      method: "get",
      path: "/__admin/journal",
      summary: "Every vendor call, newest last: endpoint, parameters (secrets masked), answer, and why.",
      query: JournalQuery,
      response: JournalView,
    },
    (c) => {
      const state = c.env.world;
      const query = validate(JournalQuery, c.req.query(), "query");
      let entries = state.journal.list({ endpoint: query.endpoint, errcode: query.errcode, sinceSeq: query.since });
      if (query.limit !== undefined) entries = entries.slice(-query.limit);
      return c.json({ entries, dropped: state.journal.dropped, size: state.journal.size });
    },
  );
  routes.add(
    {
      method: "get",
      path: "/__admin/inbox/:userid",
      summary: "What one employee actually received, rendered from the template, with read and recall state.",
      query: InboxQuery,
      response: InboxView,
    },
    (c) => {
      const state = c.env.world;
      const userid = pathParam(c, "userid");
      const { corpId } = validate(InboxQuery, c.req.query(), "query");
      const messages = state.inbox.of(userid).filter((m) => corpId === undefined || m.corpId === corpId).map(viewMessage);
      const name = [...state.world.corps()].map((corp) => corp.user(userid)?.name).find(Boolean);
      return c.json({ userid, ...(name ? { name } : {}), messages, withheld: withheldFrom(state, userid, corpId) });
    },
  );
  routes.add(
    { method: "post", path: "/__admin/inbox/:userid/:messageId/read", summary: "Mark a message read, as the employee opening it would." },
    (c) => {
      const state = c.env.world;
      const userid = pathParam(c, "userid");
      const messageId = pathParam(c, "messageId");
      if (!state.inbox.markRead(userid, messageId, state.clock.now())) {
        throw new ProblemError(404, "message-not-found", `path.messageId: ${userid} has no message "${messageId}"`);
      }
      return c.body(null, 204);
    },
  );
  routes.add(
    { method: "get", path: "/__admin/tasks", summary: "Every send task kept (a week of mock time, at most taskLimit), newest last, without per-recipient detail." },
    (c) => c.json({ tasks: c.env.world.tasks.list().map(summariseTask) }),
  );
  routes.add(
    { method: "get", path: "/__admin/tasks/:taskId", summary: "One send task: who got it, who was dropped and by which rule, who was invalid." },
    (c) => {
      const state = c.env.world;
      const { taskId } = validate(TaskIdParam, c.req.param(), "path");
      const task = state.tasks.get(taskId);
      if (!task) throw new ProblemError(404, "task-not-found", `path.taskId: no task ${taskId}`);
      // The call that created the task, as the journal kept it (secrets masked), while it is still there.
      const call = state.journal.list({ endpoint: "sendByTemplate" }).find((entry) => (entry.answer as { task_id?: unknown } | null)?.task_id === taskId);
      return c.json({ ...summariseTask(task), ...task.view(), createdAt: new Date(task.createdAtMs).toISOString(), ...(call ? { call } : {}) });
    },
  );
  routes.add(
    { method: "get", path: "/__admin/quota/:corpId/:agentId/:userid", summary: "Today's use of one employee's daily cap for one app." },
    (c) => {
      const state = c.env.world;
      const corpId = pathParam(c, "corpId");
      const agentId = pathParam(c, "agentId");
      const userid = pathParam(c, "userid");
      const day = chinaDay(state.clock.now());
      const used = state.ledger.count(agentKey(corpId, Number(agentId)), userid, day);
      return c.json({ corpId, agentId: Number(agentId), userid, chinaDay: day, used, limit: state.settings.dailyMessagesPerEmployee });
    },
  );
}

/** Sends this employee was named in but never got: throttled (with the code and the rule) or beyond the per-send maximum. */
function withheldFrom(state: MockState, userid: string, corpId: string | undefined) {
  const withheld: { taskId: number; corpId: string; agentId: number; templateId: string; at: string; code: string; meaning: string; explanation: string }[] = [];
  for (const task of state.tasks.list()) {
    if (corpId !== undefined && task.corpId !== corpId) continue;
    const at = new Date(task.createdAtMs).toISOString();
    const base = { taskId: task.taskId, corpId: task.corpId, agentId: task.agentId, templateId: task.templateId, at };
    const forbidden = task.forbiddenFor(userid);
    if (forbidden) withheld.push({ ...base, code: forbidden.code, meaning: FORBIDDEN_CODE_MEANINGS[forbidden.code] ?? "flow control", explanation: forbidden.explanation });
    else if (task.failed.includes(userid)) withheld.push({ ...base, code: "failed", meaning: "beyond the per-send maximum", explanation: `${userid}: beyond the first ${state.settings.recipientsPerSend} recipients of the send` });
  }
  return withheld;
}

function viewMessage(message: ReturnType<MockState["inbox"]["of"]>[number]) {
  return {
    ...message,
    receivedAt: new Date(message.receivedAtMs).toISOString(),
    read: message.readAtMs !== undefined,
    recalled: message.recalledAtMs !== undefined,
  };
}

function summariseTask(task: KeptTask) {
  return {
    taskId: task.taskId,
    corpId: task.corpId,
    agentId: task.agentId,
    templateId: task.templateId,
    createdAt: new Date(task.createdAtMs).toISOString(),
    counts: {
      recipients: task.recipientCount,
      delivered: task.deliveredCount,
      forbidden: task.forbiddenCount,
      invalidUsers: task.invalidUserIds.length,
      invalidDepartments: task.invalidDeptIds.length,
      failed: task.failed.length,
    },
    recalled: task.recalledAtMs !== undefined,
  };
}
