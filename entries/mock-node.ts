/** `dingtalk-edge/mock/node`: the mock DingTalk served over HTTP on Node (`startMockServer`). */
export { startMockServer, type RunningMockServer } from "../mock-server/node-server.ts";
