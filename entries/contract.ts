/**
 * `dingtalk-edge/contract`: the DingTalk work-notification contract, to run
 * against any double (`runContract(await doubleTarget({ ... }))`) or inside
 * your own vitest (`describeContract({ describe, it }, name, () => target)`).
 * It takes your `describe` and `it`, so it does not depend on vitest itself.
 */
export * from "../contract-tests/index.ts";
