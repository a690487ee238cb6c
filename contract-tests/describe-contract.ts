import { CONTRACT_CASES } from "./contract-cases.ts";
import type { ContractTarget } from "./contract-target.ts";
import { runCase, skipReason } from "./run-contract.ts";

/**
 * The test functions of the caller's own vitest. Passed in rather than
 * imported, so a downstream project's runner registers the cases even when
 * this folder resolves another copy of vitest.
 */
export interface TestApi {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, options: { timeout: number }, body: (context: { skip: (note?: string) => void }) => Promise<void>) => unknown;
}

/**
 * The contract as a vitest suite, for this project and downstream ones:
 * `describeContract({ describe, it }, name, () => target)`; the target is resolved once. A case the target cannot run is reported
 * as skipped with its reason, never as passed.
 */
export function describeContract(
  test: TestApi,
  name: string,
  target: () => ContractTarget | string | Promise<ContractTarget | string>,
  options: { timeoutMs?: number } = {},
): void {
  const { describe, it } = test;
  let resolving: Promise<ContractTarget | string> | undefined;
  describe(`DingTalk work-notification contract: ${name}`, () => {
    for (const contractCase of CONTRACT_CASES) {
      it(`${contractCase.id}: ${contractCase.title}`, { timeout: options.timeoutMs ?? 60_000 }, async (context) => {
        resolving ??= Promise.resolve(target());
        const resolved = await resolving;
        // A string says why the target is unavailable (no credentials, say): every case is skipped with it.
        if (typeof resolved === "string") {
          context.skip(resolved);
          return;
        }
        const reason = skipReason(contractCase, resolved);
        if (reason) {
          context.skip(reason);
          return;
        }
        const result = await runCase(contractCase, resolved);
        if (result.status === "fail") throw new Error(`${result.reason}\n  (${contractCase.source})`);
      });
    }
  });
}
