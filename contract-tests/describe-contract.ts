import { CONTRACT_CASES } from "./contract-cases.ts";
import type { ContractTarget } from "./contract-target.ts";
import { runCase, skipReason } from "./run-contract.ts";
import { checkTarget } from "./target-check.ts";

/**
 * The test functions of the caller's own vitest. Passed in rather than
 * imported, so a downstream project's runner registers the cases even when
 * this folder resolves another copy of vitest.
 */
export interface TestApi {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, options: { timeout: number }, body: (context: { skip: (note?: string) => void }) => Promise<void>) => unknown;
  /**
   * Optional: when given, the double is restored (clock, settings, or its
   * fresh world dropped) after the suite even if you run only some cases.
   * Without it, a last test, "leaves the target as it found it", does that.
   */
  afterAll?: (body: () => Promise<void>, timeout?: number) => unknown;
}

/**
 * The contract as a vitest suite, for this project and downstream ones:
 * `describeContract({ describe, it }, name, () => target)`; the target is
 * resolved and checked once, by the first test ("the target can be used"),
 * which fails with the URL and the server's answer when it cannot; every case
 * is then skipped with that reason rather than failing the same way again. A
 * case the target cannot run is reported as skipped with its reason, never as
 * passed.
 */
export function describeContract(
  test: TestApi,
  name: string,
  target: () => ContractTarget | string | Promise<ContractTarget | string>,
  options: { timeoutMs?: number } = {},
): void {
  const { describe, it, afterAll } = test;
  const timeout = options.timeoutMs ?? 60_000;
  let resolving: Promise<{ target?: ContractTarget; unusable?: string; unavailable?: string }> | undefined;
  const resolve = () =>
    (resolving ??= (async () => {
      try {
        const resolved = await target();
        // A string says why the target is not configured (no credentials, say): every case is skipped with it.
        if (typeof resolved === "string") return { unavailable: resolved };
        await checkTarget(resolved);
        return { target: resolved };
      } catch (error) {
        return { unusable: error instanceof Error ? error.message : String(error) };
      }
    })());
  const restore = async () => {
    const { target: resolved } = await resolve();
    await resolved?.control?.restore?.();
  };

  describe(`DingTalk work-notification contract: ${name}`, () => {
    if (afterAll) afterAll(restore, timeout);
    it("the target can be used: it answers a token for its app", { timeout }, async (context) => {
      const { unusable, unavailable } = await resolve();
      if (unavailable) {
        context.skip(unavailable);
        return;
      }
      if (unusable) throw new Error(unusable);
    });
    for (const contractCase of CONTRACT_CASES) {
      it(`${contractCase.id}: ${contractCase.title}`, { timeout }, async (context) => {
        const { target: resolved, unavailable } = await resolve();
        if (!resolved) {
          // The cause is told once, by the first test; repeating it per case would bury it.
          context.skip(unavailable ?? 'not run: the target cannot be used (the first test, "the target can be used", says why)');
          return;
        }
        const reason = skipReason(contractCase, resolved);
        if (reason) {
          context.skip(reason);
          return;
        }
        const result = await runCase(contractCase, resolved);
        if (result.status === "skip") context.skip(result.reason);
        else if (result.status === "fail") throw new Error(`${result.reason}\n  (${contractCase.source})`);
      });
    }
    if (!afterAll) it("leaves the target as it found it", { timeout }, restore);
  });
}
