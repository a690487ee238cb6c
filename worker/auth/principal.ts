import * as z from "../../protocol/zod.ts";

/** What a caller may send: absent lists mean "any". */
export const Scope = z._default(
  z.strictObject({
    corps: z.optional(z.array(z.string().check(z.minLength(1)))),
    agents: z.optional(z.array(z.int().check(z.positive()))),
    templates: z.optional(z.array(z.string().check(z.minLength(1)))),
  }),
  {},
);
export type Scope = z.infer<typeof Scope>;

/** An authenticated caller: an API key or a webhook sender, by its configured id (never its secret). */
export interface Principal {
  id: string;
  kind: "api-key" | "webhook";
  scope: Scope;
  /** For signed webhooks: the delivery id, which doubles as the idempotency key. */
  deliveryId?: string;
}

/** The first field of a request that the scope does not allow, or undefined when all are allowed. */
export function outOfScope(scope: Scope, target: { corpId: string; agentId: number; templateId: string }): string | undefined {
  if (scope.corps && !scope.corps.includes(target.corpId)) return "corpId";
  if (scope.agents && !scope.agents.includes(target.agentId)) return "agentId";
  if (scope.templates && !scope.templates.includes(target.templateId)) return "templateId";
  return undefined;
}
