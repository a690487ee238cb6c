import { z } from "zod";
import { VendorPath } from "../../protocol/paths.ts";
import { seededRandom } from "./seeded-random.ts";

/**
 * What a rule's `endpoint` may name: every vendor endpoint by name and by
 * path, or "*". Anything else would match no call and never fire, and the
 * test relying on it would prove nothing.
 */
const FAULT_TARGETS = ["*", ...Object.keys(VendorPath), ...Object.values(VendorPath)] as [string, ...string[]];

/**
 * Fault injection, in the spirit of Mailpit's chaos API: a rule shapes the
 * answer of matching vendor calls, for the next N calls or with a seeded
 * probability, so a flaky run can be replayed exactly.
 */
export const FaultRuleInput = z
  .object({
    /** A vendor path ("/gettoken"), an endpoint name ("sendByTemplate"), or "*" for every vendor call. */
    endpoint: z.enum(FAULT_TARGETS).default("*"),
    /** Answer this errcode (HTTP 200, vendor style) instead of the real answer. */
    errcode: z.number().int().optional(),
    errmsg: z.string().optional(),
    /** With `errcode` 88: the wrapped code, e.g. "90018". */
    subCode: z.string().optional(),
    /** Answer this HTTP status with an empty-ish body (a gateway failing, not the vendor). */
    httpStatus: z.number().int().min(200).max(599).optional(),
    /** Added delay in real milliseconds before answering. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Drop the connection: the caller sees a network error and no answer. */
    drop: z.boolean().optional(),
    /**
     * "before": the fault replaces the call, nothing happens. "after": the call
     * takes effect (a send is delivered) and then the fault shapes the answer,
     * the case where a client cannot know whether it was sent.
     */
    phase: z.enum(["before", "after"]).default("before"),
    /** Apply to the next N matching calls, then retire. */
    times: z.number().int().positive().optional(),
    /** Apply to each matching call with this probability. */
    probability: z.number().min(0).max(1).optional(),
    /** Seed of the probability draw; the same seed fires on the same calls. */
    seed: z.number().int().default(1),
  })
  .refine(
    (rule) =>
      rule.errcode !== undefined || rule.httpStatus !== undefined || rule.latencyMs !== undefined || rule.drop === true,
    { message: "a fault needs an effect: errcode, httpStatus, latencyMs or drop", path: ["errcode"] },
  )
  .refine((rule) => !(rule.drop && (rule.errcode !== undefined || rule.httpStatus !== undefined)), {
    message: "a dropped connection has no answer: drop excludes errcode and httpStatus",
    path: ["drop"],
  });

export type FaultRuleInput = z.input<typeof FaultRuleInput>;
export type FaultRuleSpec = z.output<typeof FaultRuleInput>;

export interface FaultRule extends FaultRuleSpec {
  id: string;
  /** How many calls this rule has shaped. */
  hits: number;
  /** How many probability draws it has made, so a restored rule resumes its sequence. */
  draws: number;
}

export class FaultRules {
  #rules: FaultRule[] = [];
  #random = new Map<string, () => number>();
  #nextId = 1;

  add(spec: FaultRuleSpec): FaultRule {
    const rule: FaultRule = { ...spec, id: `fault-${this.#nextId++}`, hits: 0, draws: 0 };
    this.#rules.push(rule);
    return rule;
  }

  list(): readonly FaultRule[] {
    return this.#rules;
  }

  remove(id: string): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((rule) => rule.id !== id);
    this.#random.delete(id);
    return this.#rules.length !== before;
  }

  clear(): void {
    this.#rules = [];
    this.#random.clear();
  }

  /** The first rule that applies to this call, counted as used; undefined when none fires. */
  take(path: string, endpointName: string): FaultRule | undefined {
    for (const rule of this.#rules) {
      if (rule.endpoint !== "*" && rule.endpoint !== path && rule.endpoint !== endpointName) continue;
      if (rule.probability !== undefined) {
        rule.draws += 1;
        if (this.#draw(rule) >= rule.probability) continue;
      }
      rule.hits += 1;
      if (rule.times !== undefined && rule.hits >= rule.times) this.remove(rule.id);
      return rule;
    }
    return undefined;
  }

  #draw(rule: FaultRule): number {
    let random = this.#random.get(rule.id);
    if (!random) {
      random = seededRandom(rule.seed);
      // Resume the sequence of a restored rule where it stopped.
      for (let i = 1; i < rule.draws; i++) random();
      this.#random.set(rule.id, random);
    }
    return random();
  }

  snapshot(): { nextId: number; rules: FaultRule[] } {
    return { nextId: this.#nextId, rules: this.#rules.map((rule) => ({ ...rule })) };
  }

  restore(data: { nextId: number; rules: FaultRule[] }): void {
    this.#nextId = data.nextId;
    this.#rules = data.rules;
    this.#random.clear();
  }
}
