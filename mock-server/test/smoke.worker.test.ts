import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("answers gettoken", async () => {
    const res = await exports.default.fetch("http://mock/gettoken?appkey=app-demo-key&appsecret=app-demo-secret");
    const body = await res.json<{ errcode: number }>();
    expect(body.errcode).toBe(0);
  });
});
