/**
 * The DingTalk work-notification contract, for this project and downstream
 * ones. In a vitest file:
 *
 *   import { afterAll, describe, it } from "vitest";
 *   import { describeContract, doubleTarget } from "dingtalk-edge/contract";
 *   describeContract({ describe, it, afterAll }, "my double", () => doubleTarget({ name: "my double", baseUrl: "http://127.0.0.1:3000/w/my-project" }));
 *
 * Every case cites a section of docs/dingtalk-api.md, shipped in the package.
 */
export { CONTRACT_CASES } from "./contract-cases.ts";
export { describeContract, type TestApi } from "./describe-contract.ts";
export { runCase, runContract, skipReason, type CaseResult, type CaseStatus } from "./run-contract.ts";
export type { ContractCase, Check } from "./contract-case.ts";
export { CaseCannotRun, TargetUnavailableError, type ContractApp, type ContractControl, type ContractFixtures, type ContractTarget } from "./contract-target.ts";
export { checkTarget } from "./target-check.ts";
export { doubleTarget, type DoubleTargetOptions } from "./targets/double-target.ts";
export { realDingTalkTarget } from "./targets/real-dingtalk-target.ts";
