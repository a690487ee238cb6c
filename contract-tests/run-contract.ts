import { ContractViolation, countingCheck, type ContractCase } from "./contract-case.ts";
import { CONTRACT_CASES } from "./contract-cases.ts";
import { CaseCannotRun, type ContractTarget } from "./contract-target.ts";
import { checkTarget } from "./target-check.ts";

export type CaseStatus = "pass" | "fail" | "skip";

export interface CaseResult {
  id: string;
  title: string;
  source: string;
  known: boolean;
  status: CaseStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  ms: number;
}

/** Why a case cannot run on this target, or undefined when it can. */
export function skipReason(contractCase: ContractCase, target: ContractTarget): string | undefined {
  if (contractCase.needs === "control" && !target.control) {
    const why = target.controlMissing ?? "it has no /__admin API";
    return `${target.name} cannot be steered (${why}): this case needs a double with a clock, a reset and bulk employees (see contract-tests/README.md, "Steering a double")`;
  }
  if (contractCase.needs === "pendingTemplate" && !target.fixtures.pendingTemplateId) return "no template awaiting approval is configured for this target";
  if (contractCase.needs === "thirdPartyApp" && target.app.kind !== "thirdParty") {
    return `${target.name} sends as an internal app, which gets its token from gettoken: get_corp_token and suite tickets belong to third-party apps (run with --app thirdParty, or appKind: "thirdParty")`;
  }
  return undefined;
}

/** Runs one case. It cannot pass without checking something: one that checked nothing fails. */
export async function runCase(contractCase: ContractCase, target: ContractTarget): Promise<CaseResult> {
  const base = { id: contractCase.id, title: contractCase.title, source: contractCase.source, known: contractCase.known };
  const reason = skipReason(contractCase, target);
  if (reason) return { ...base, status: "skip", reason, ms: 0 };
  const started = Date.now();
  const check = countingCheck();
  try {
    await contractCase.run(target, check);
    if (check.count === 0) return { ...base, status: "fail", reason: "the case checked nothing (a bug in the case: it must check something or be skipped with a reason)", ms: Date.now() - started };
    return { ...base, status: "pass", ms: Date.now() - started };
  } catch (error) {
    if (error instanceof CaseCannotRun) return { ...base, status: "skip", reason: error.message, ms: Date.now() - started };
    const message = error instanceof ContractViolation ? error.message : `could not run: ${error instanceof Error ? error.message : String(error)}`;
    return { ...base, status: "fail", reason: message, ms: Date.now() - started };
  }
}

/**
 * Runs every case in order (they share the target's state, so never in
 * parallel). First checks that the target can be used at all, and throws
 * `TargetUnavailableError` if not, so an unusable target fails once, with its
 * cause, rather than once per case. Afterwards leaves a steered double as it
 * found it (`control.restore`).
 */
export async function runContract(target: ContractTarget, cases: readonly ContractCase[] = CONTRACT_CASES): Promise<CaseResult[]> {
  let results: CaseResult[];
  try {
    await checkTarget(target);
    results = [];
    for (const contractCase of cases) results.push(await runCase(contractCase, target));
  } catch (error) {
    // The run's own failure says more than a restore that failed after it.
    await target.control?.restore?.().catch(() => undefined);
    throw error;
  }
  await target.control?.restore?.();
  return results;
}
