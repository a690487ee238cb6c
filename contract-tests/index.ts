/**
 * The DingTalk work-notification contract, for this project and downstream
 * ones. In a vitest file:
 *
 *   import { describe, it } from "vitest";
 *   import { describeContract, doubleTarget } from "<this repo>/contract-tests/index.ts";
 *   describeContract({ describe, it }, "my double", () => doubleTarget({ name: "my double", baseUrl: "http://127.0.0.1:3000" }));
 */
export { CONTRACT_CASES } from "./contract-cases.ts";
export { describeContract, type TestApi } from "./describe-contract.ts";
export { runCase, runContract, skipReason, type CaseResult, type CaseStatus } from "./run-contract.ts";
export type { ContractCase, Check } from "./contract-case.ts";
export type { ContractApp, ContractControl, ContractFixtures, ContractTarget } from "./contract-target.ts";
export { doubleTarget, type DoubleTargetOptions } from "./targets/double-target.ts";
export { realDingTalkTarget } from "./targets/real-dingtalk-target.ts";
