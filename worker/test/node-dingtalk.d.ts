// node-dingtalk (a third-party DingTalk SDK, used only by third-party-sdk.test.ts) ships no types: just what the test uses.
declare module "node-dingtalk" {
  interface DingTalkClientOptions {
    corpid: string;
    corpsecret: string;
    /** The vendor's base URL; https://oapi.dingtalk.com unless given. */
    host?: string;
    [option: string]: unknown;
  }

  /** What `client.request` throws when an answer's errcode is not 0. */
  export interface DingTalkClientResponseError extends Error {
    name: "DingTalkClientResponseError";
    code: number;
    data: Record<string, unknown>;
  }

  class Client {
    /** POSTs `data` as JSON to `${host}/${api}?access_token=…`; resolves to the answer when errcode is 0, else throws DingTalkClientResponseError. */
    post(api: string, data?: Record<string, unknown>, opts?: { accessToken?: string; [option: string]: unknown }): Promise<Record<string, unknown>>;
    get(api: string, data?: Record<string, unknown>, opts?: { accessToken?: string; [option: string]: unknown }): Promise<Record<string, unknown>>;
  }

  export default class DingTalk {
    constructor(options: DingTalkClientOptions);
    readonly client: Client;
  }
}
