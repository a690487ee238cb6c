import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { effectiveErrcode, IntegerLike, signSuiteRequest, timingSafeEqualStrings } from "./index.ts";

describe("signSuiteRequest", () => {
  it("matches base64(HMAC-SHA256(suiteSecret, timestamp + \\n + suiteTicket)) computed by node:crypto", async () => {
    const expected = createHmac("sha256", "suite-demo-secret").update("1764000000000\nsuite-demo-ticket").digest("base64");
    expect(await signSuiteRequest("suite-demo-secret", "1764000000000", "suite-demo-ticket")).toBe(expected);
  });
});

describe("effectiveErrcode", () => {
  it("reads sub_code of an errcode 88 envelope first", () => {
    expect(effectiveErrcode({ errcode: 88, sub_code: "40014" })).toBe(40014);
    expect(effectiveErrcode({ errcode: 88, sub_code: "isv.unknown" })).toBe(88);
    expect(effectiveErrcode({ errcode: 42001 })).toBe(42001);
  });
});

describe("IntegerLike", () => {
  it("takes numbers and decimal strings, refuses the rest", () => {
    expect(IntegerLike.parse(948060598)).toBe(948060598);
    expect(IntegerLike.parse(" 123 ")).toBe(123);
    expect(IntegerLike.safeParse("12a").success).toBe(false);
    expect(IntegerLike.safeParse(1.5).success).toBe(false);
  });
});

describe("timingSafeEqualStrings", () => {
  it("compares by content and length", () => {
    expect(timingSafeEqualStrings("abc", "abc")).toBe(true);
    expect(timingSafeEqualStrings("abc", "abd")).toBe(false);
    expect(timingSafeEqualStrings("abc", "abcd")).toBe(false);
  });
});
