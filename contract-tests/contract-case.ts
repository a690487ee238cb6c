import type { ContractTarget } from "./contract-target.ts";

/**
 * One behaviour of DingTalk's work-notification API, stated once. `source`
 * names the document and clause it comes from (see contract-tests/README.md);
 * `known: false` marks a case where the vendor's behaviour is unknown, and
 * the case then checks only the part that is known.
 */
export interface ContractCase {
  id: string;
  title: string;
  source: string;
  known: boolean;
  /** What the target must offer for the case to run; otherwise it is skipped with this reason. */
  needs?: "control" | "pendingTemplate";
  run(target: ContractTarget, check: Check): Promise<void>;
}

/** Assertions that say what the vendor does, so a failure reads as a contract clause. */
export interface Check {
  equal(actual: unknown, expected: unknown, what: string): void;
  ok(condition: boolean, what: string): void;
}

export class ContractViolation extends Error {}

export const check: Check = {
  equal(actual, expected, what) {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new ContractViolation(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  },
  ok(condition, what) {
    if (!condition) throw new ContractViolation(what);
  },
};
