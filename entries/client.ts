/**
 * `dingtalk-edge/client`: the fetch-only DingTalk client (tokens, retries,
 * `errcode 88` unwrapped) and the vendor's wire shapes as zod schemas, result
 * codes and paths. Runs anywhere `fetch` does: Node, Workers, browsers.
 */
export * from "../protocol/index.ts";
export * from "../worker/dingtalk/index.ts";
