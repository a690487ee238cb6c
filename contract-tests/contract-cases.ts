import type { ContractCase } from "./contract-case.ts";
import { limitCases } from "./cases/limits.ts";
import { seedExampleCases } from "./cases/seed-examples.ts";
import { sendCases } from "./cases/send.ts";
import { taskResultCases } from "./cases/task-results.ts";
import { tokenCases } from "./cases/tokens.ts";
import { wireConventionCases } from "./cases/wire-conventions.ts";

/** The whole contract, in the order a reader would check it. */
export const CONTRACT_CASES: readonly ContractCase[] = [
  ...wireConventionCases,
  ...tokenCases,
  ...sendCases,
  ...taskResultCases,
  ...limitCases,
  ...seedExampleCases,
];
