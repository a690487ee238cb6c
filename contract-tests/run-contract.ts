import { check, ContractViolation, type ContractCase } from "./contract-case.ts";
import { CONTRACT_CASES } from "./contract-cases.ts";
import type { ContractTarget } from "./contract-target.ts";

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
  if (contractCase.needs === "control" && !target.control) return `${target.name} has no clock or reset to steer (a double's /__admin API): limit scenarios run against doubles only`;
  if (contractCase.needs === "pendingTemplate" && !target.fixtures.pendingTemplateId) return "no template awaiting approval is configured for this target";
  return undefined;
}

export async function runCase(contractCase: ContractCase, target: ContractTarget): Promise<CaseResult> {
  const base = { id: contractCase.id, title: contractCase.title, source: contractCase.source, known: contractCase.known };
  const reason = skipReason(contractCase, target);
  if (reason) return { ...base, status: "skip", reason, ms: 0 };
  const started = Date.now();
  try {
    await contractCase.run(target, check);
    return { ...base, status: "pass", ms: Date.now() - started };
  } catch (error) {
    const message = error instanceof ContractViolation ? error.message : `could not run: ${error instanceof Error ? error.message : String(error)}`;
    return { ...base, status: "fail", reason: message, ms: Date.now() - started };
  }
}

/** Runs every case in order (they share the target's state, so never in parallel). */
export async function runContract(target: ContractTarget, cases: readonly ContractCase[] = CONTRACT_CASES): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const contractCase of cases) results.push(await runCase(contractCase, target));
  return results;
}
