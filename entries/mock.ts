/**
 * `dingtalk-edge/mock`: the mock DingTalk in-process (`createMockDingTalk`,
 * its admin client, world and settings). No Node-only imports, so it also runs
 * inside workerd; the Node HTTP server is `dingtalk-edge/mock/node`.
 */
export * from "../mock-server/index.ts";
