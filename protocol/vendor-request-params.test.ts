import { describe, expect, it } from "vitest";
import { readRequestParams } from "./vendor-request-params.ts";

/** What the query parameters were when they came from a full URL parse. */
function parsedByUrl(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

async function queryOf(url: string): Promise<Record<string, unknown>> {
  const read = await readRequestParams(new Request(url));
  if (!read.ok) throw new Error(read.problem);
  return read.params;
}

describe("readRequestParams: the query string", () => {
  const urls = [
    "http://mock.local/gettoken",
    "http://mock.local/gettoken?",
    "http://mock.local/gettoken?#x=1",
    "http://mock.local/gettoken?appkey=a&appsecret=b",
    "http://mock.local/gettoken?appkey=a&appkey=b&=c&d&e=",
    "http://mock.local/x?a=1+2&b=%2B%20%25&c=%E4%B8%AD%E6%96%87&d=中文",
    "http://mock.local/x?a=1?b=2&c=a=b#frag?d=4&e=5",
    "http://mock.local/x?__proto__=1&constructor=2&toString=3",
    "http://mock.local/x?a=%zz&b=%&c='\"<>`{}|\\^",
    "http://mock.local:8080/a%3Fb/c?q=1",
    "http://mock.local/x??a=1&?b=2",
    "http://mock.local/a?b#c#d?e",
  ];
  for (const url of urls) {
    it(`reads ${url} as a full URL parse would`, async () => {
      expect(await queryOf(url)).toEqual(parsedByUrl(url));
    });
  }

  it("agrees with a full URL parse on random queries", async () => {
    const alphabet = "ab=&?#+%20%2B%zz/ \"'<>中";
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1_000; i++) {
      let query = "";
      for (let n = Math.floor(next() * 12); n > 0; n--) query += alphabet[Math.floor(next() * alphabet.length)];
      const url = `http://mock.local/path?${query}`;
      expect(await queryOf(url), url).toEqual(parsedByUrl(url));
    }
  });

  it("agrees with a full URL parse on random queries with nothing to decode", async () => {
    const alphabet = "ab==&&&??#/;:@!$'()*,~-._";
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1_000; i++) {
      let query = "";
      for (let n = Math.floor(next() * 14); n > 0; n--) query += alphabet[Math.floor(next() * alphabet.length)];
      const url = `http://mock.local/path?${query}`;
      expect(await queryOf(url), url).toEqual(parsedByUrl(url));
    }
  });

  it("lets body values win over query values", async () => {
    const request = new Request("http://mock.local/x?access_token=q&agent_id=1", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent_id: 2 }),
    });
    expect(await readRequestParams(request)).toEqual({ ok: true, params: { access_token: "q", agent_id: 2 } });
  });
});

describe("readRequestParams: hostile bodies", () => {
  const post = (body: string, contentType = "application/json", query = "") =>
    readRequestParams(new Request(`http://mock.local/x${query}`, { method: "POST", headers: { "content-type": contentType }, body }));

  it("keeps __proto__ as an ordinary unknown parameter: the missing ones are not read from it", async () => {
    const read = await post('{"__proto__":{"agent_id":1,"template_id":"t"}}');
    if (!read.ok) throw new Error(read.problem);
    expect(Object.getPrototypeOf(read.params)).toBe(Object.prototype);
    expect(read.params.agent_id).toBeUndefined();
    expect(Object.keys(read.params)).toEqual(["__proto__"]);
  });

  it("does the same for a form body", async () => {
    const read = await post("__proto__=x&agent_id=2", "application/x-www-form-urlencoded");
    if (!read.ok) throw new Error(read.problem);
    expect(Object.getPrototypeOf(read.params)).toBe(Object.prototype);
    expect(read.params.agent_id).toBe("2");
  });

  it("still gives the query's parameters when the body cannot be read", async () => {
    const read = await post("{not json", "application/json", "?access_token=key");
    expect(read).toEqual({ ok: false, problem: "the body is neither a form nor valid JSON", params: { access_token: "key" } });
  });
});
