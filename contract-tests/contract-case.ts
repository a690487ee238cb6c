import type { ContractTarget } from "./contract-target.ts";

/**
 * One behaviour of DingTalk's work-notification API, stated once. `source`
 * names the section of docs/dingtalk-api.md it comes from (which links the
 * vendor's pages); `known: false` marks a case where the vendor's behaviour is
 * unknown, and the case then checks only the part that is known.
 */
export interface ContractCase {
  id: string;
  title: string;
  source: string;
  known: boolean;
  /**
   * What the target must offer for the case to run; otherwise it is skipped
   * with the reason. "control": a steerable double; "pendingTemplate": a
   * template awaiting approval; "thirdPartyApp": the target sends as a
   * third-party app (get_corp_token and its suite ticket).
   */
  needs?: "control" | "pendingTemplate" | "thirdPartyApp";
  run(target: ContractTarget, check: Check): Promise<void>;
}

/** Assertions that say what the vendor does, so a failure reads as a contract clause. */
export interface Check {
  equal(actual: unknown, expected: unknown, what: string): void;
  ok(condition: boolean, what: string): void;
}

export class ContractViolation extends Error {}

/**
 * A fresh `Check` that counts what it checked: a case that returns having
 * checked nothing is reported as failed, never as passed.
 */
export function countingCheck(): Check & { readonly count: number } {
  let count = 0;
  return {
    get count() {
      return count;
    },
    equal(actual, expected, what) {
      count++;
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new ContractViolation(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      }
    },
    ok(condition, what) {
      count++;
      if (!condition) throw new ContractViolation(what);
    },
  };
}
