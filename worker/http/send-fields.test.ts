import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BODY_BYTES, readBoundedText, BodyTooLargeError } from "./bounded-body.ts";
import { DeptId, MAX_TEMPLATE_DATA_BYTES, MAX_USERID_LENGTH, templateDataIssues, UserId, utf8Length } from "./send-fields.ts";
import { readVendorSend } from "./vendor-send-request.ts";

const SEND = { agent_id: 948060598, template_id: "tpl" };
const read = (params: Record<string, unknown>, async = false) => readVendorSend({ ...SEND, ...params }, { async, maxQueuedUserIds: 100_000 });

describe("the send fields, as both routes read them", () => {
  it.each([
    ["a space inside", "a b"],
    ["a comma", "a,b"],
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate", "x\udc00"],
    ["a control character", "a\u0000"],
    ["a zero-width space", "a\u200bb"],
    ["65 characters", "u".repeat(MAX_USERID_LENGTH + 1)],
    ["nothing", ""],
  ])("refuses a userid with %s", (_, userid) => {
    expect(UserId.safeParse(userid).success).toBe(false);
  });

  it("takes userids of any script, and emoji as surrogate pairs", () => {
    for (const userid of ["manager4711", "张三", "😀x", "u".repeat(MAX_USERID_LENGTH)]) expect(UserId.safeParse(userid).success, userid).toBe(true);
  });

  it("refuses department ids JavaScript cannot hold exactly", () => {
    expect(DeptId.safeParse(2 ** 53 - 1).success).toBe(true);
    expect(DeptId.safeParse(2 ** 53).success).toBe(false);
    expect(DeptId.safeParse(0).success).toBe(false);
  });

  it("bounds data by its JSON size in bytes and refuses __proto__ and lone surrogates by name", () => {
    expect(templateDataIssues({ name: "x".repeat(MAX_TEMPLATE_DATA_BYTES) })[0]?.message).toContain(`at most ${MAX_TEMPLATE_DATA_BYTES} bytes`);
    expect(templateDataIssues({ name: "x".repeat(MAX_TEMPLATE_DATA_BYTES - 20) })).toEqual([]);
    expect(templateDataIssues(JSON.parse('{"__proto__":"x"}'))).toEqual([{ path: ["__proto__"], message: "is not a usable variable name" }]);
    expect(templateDataIssues({ name: "\udfff" })[0]?.path).toEqual(["name"]);
    expect(templateDataIssues(["a"])[0]?.path).toEqual([]);
  });

  it("tells a blank userid only that it is blank, and an invisible character what it is", () => {
    const blank = UserId.safeParse("");
    expect(blank.success ? [] : blank.error.issues.map((issue) => issue.code)).toEqual(["too_small"]);
    const invisible = UserId.safeParse("a\u200bb");
    expect(invisible.success ? [] : invisible.error.issues.map((issue) => issue.message)).toEqual([expect.stringContaining("U+200B")]);
  });

  it("counts UTF-8 bytes as TextEncoder does", () => {
    for (const text of ["", "abc", "é", "中文", "😀", "a😀b中"]) expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
  });
});

describe("the drop-in route's reading of sendbytemplate", () => {
  it("names the field and the entry of each refusal, with 40035", () => {
    expect(read({ userid_list: "123,a b" })).toEqual({ ok: false, errcode: 40035, message: "userid_list[1]: must not contain commas, white space, control characters or invisible format characters (such as U+200B ZERO WIDTH SPACE)" });
    expect(read({ userid_list: "x".repeat(300_000) })).toMatchObject({ ok: false, errcode: 40035, message: expect.stringContaining("userid_list[0]") });
    expect(read({ dept_id_list: "1,9007199254740993" })).toMatchObject({ ok: false, errcode: 40035, message: expect.stringContaining("dept_id_list[1]") });
    expect(read({ dept_id_list: "0x10" })).toMatchObject({ ok: false, message: expect.stringContaining("dept_id_list[0]") });
    expect(read({ userid_list: "1", data: '{"__proto__":{"x":"y"}}' })).toMatchObject({ ok: false, message: expect.stringContaining("data.__proto__") });
    expect(read({ userid_list: "1", agent_id: "99999999999999999999" })).toMatchObject({ ok: false, message: expect.stringContaining("agent_id") });
    expect(read({ userid_list: ["1"] })).toMatchObject({ ok: false, message: expect.stringContaining("userid_list") });
  });

  it("answers the vendor's no-receivers code when neither list names anyone", () => {
    expect(read({ userid_list: " , " })).toMatchObject({ ok: false, errcode: 1430000 });
  });

  it("takes more than 5,000 userids only when queued", () => {
    const many = Array.from({ length: 5001 }, (_, i) => `u${i}`).join(",");
    expect(read({ userid_list: many })).toMatchObject({ ok: false, message: expect.stringContaining("respond-async") });
    expect(read({ userid_list: many }, true)).toMatchObject({ ok: true });
  });

  it("reads the seed's request, data as a string or an object, ids deduplicated", () => {
    const result = read({ agent_id: "948060598", userid_list: "123, 456,123", dept_id_list: 421897262, data: { name: "a" } });
    expect(result).toEqual({ ok: true, value: { agentId: 948060598, templateId: "tpl", userIds: ["123", "456"], deptIds: [421897262], data: { name: "a" } } });
  });
});

describe("a bounded body", () => {
  const streamOf = (bytes: number, chunk = 64 * 1024) => {
    let left = bytes;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        if (left <= 0) return controller.close();
        const size = Math.min(chunk, left);
        left -= size;
        controller.enqueue(new Uint8Array(size).fill(0x61));
      },
    });
    return { stream, pulls: () => pulls };
  };

  it("leaves room for the largest valid request: 100,000 userids of 64 characters and the largest data", () => {
    expect(100_000 * (MAX_USERID_LENGTH + 3) + MAX_TEMPLATE_DATA_BYTES + 64 * 1024).toBeLessThan(MAX_REQUEST_BODY_BYTES);
  });

  it("refuses a declared length over the limit, and only throws the body away", async () => {
    const { stream } = streamOf(1024);
    const request = new Request("http://w/", { method: "POST", body: stream, headers: { "content-length": "2048" }, duplex: "half" } as RequestInit);
    await expect(readBoundedText(request, 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(request.bodyUsed).toBe(true);
  });

  it("refuses an undeclared body once it passes the limit, reading the rest only to discard it", async () => {
    const { stream, pulls } = streamOf(1024 * 1024, 1024);
    const request = new Request("http://w/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readBoundedText(request, 4096)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulls()).toBeGreaterThan(1024); // drained to the end, so the connection stays usable
  });

  it("reads a body at the limit whole", async () => {
    const { stream } = streamOf(4096, 1000);
    const request = new Request("http://w/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(await readBoundedText(request, 4096)).toBe("a".repeat(4096));
  });
});
