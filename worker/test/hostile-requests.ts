/**
 * A seeded generator of requests the worker must refuse: wrong types, sizes,
 * encodings, nesting, content types, prototype keys, credentials and scopes,
 * for `/v1` and for the drop-in vendor routes. Each case starts from a request
 * the worker takes and breaks it in at least one way that alone is a refusal,
 * so "refused" can be asserted of every one. Deterministic: the same seed
 * gives the same requests.
 */
import { seededRandom } from "../../mock-server/engine/seeded-random.ts";

export interface HostileKeys {
  /** Any app, any template. */
  all: string;
  /** Only agent 123 (the internal app). */
  internalApp: string;
  /** Only a template nobody sends. */
  otherTemplate: string;
  /** Only a corp that is not configured. */
  otherCorp: string;
}

export interface HostileRequest {
  route: "v1" | "drop-in";
  /** The family of fault, to show that each family was tried. */
  family: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export const TEMPLATE_ID = "e27a9eed42b34a14a2xxxx";
const AGENT_ID = 948060598;
const SEND_PATH = "/topapi/message/corpconversation/sendbytemplate";
const TASK_PATHS = ["/topapi/message/corpconversation/getsendresult", "/topapi/message/corpconversation/getsendprogress"];

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const ids = (count: number, prefix = "u") => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}"x"${"}".repeat(depth)}`;

/** Values that are wrong for the field whatever else the request holds (none of them names a usable app, template or recipient). */
const BAD_V1_FIELDS: Record<string, readonly unknown[]> = {
  corpId: [1, "", null, [], {}, true, "a b", "\ud800corp", "x".repeat(65), "othercorp"],
  agentId: ["948060598", 1.5, -1, 0, 2 ** 53, 1e308, null, [], {}, 1],
  templateId: [1, "", null, [], {}, "x".repeat(129), "tpl\udc00", "a\u0000b"],
  userIds: ["123", 123, [123], [""], ["a b"], ["a,b"], ["\ud800"], ["x".repeat(65)], [null], [[]], {}, null, ["\u200b"], [], ids(5001)],
  deptIds: [["1"], [-1], [0], [1.5], [2 ** 53], "1", {}, [null], Array.from({ length: 501 }, (_, i) => i + 1), [[1]]],
  data: [[], "str", 1, { name: 1 }, { name: {} }, { name: null }, { name: "\ud800" }, { name: "x".repeat(33 * 1024) }, { "": ["x"] }],
};

const BAD_VENDOR_FIELDS: Record<string, readonly unknown[]> = {
  agent_id: ["x", 1.5, -1, 0, "99999999999999999999", null, [], {}, true, 1, "0x10"],
  template_id: [1, "", null, "x".repeat(129), "tpl\udc00", "a\u0001", []],
  userid_list: ["a b", "x".repeat(65), "\ud800", " , ", "", ["123"], 123, ids(5001).join(","), "123,\u0000", "x".repeat(300 * 1024)],
  dept_id_list: ["-1", "1.5", "abc", "9007199254740993", "0x10", "1e3", {}, Array.from({ length: 501 }, (_, i) => i + 1).join(","), "0"],
  data: ["{", "[]", "1", JSON.stringify({ name: 1 }), '{"__proto__":{"name":"x"}}', JSON.stringify({ name: "\ud800" }), JSON.stringify({ name: "x".repeat(33 * 1024) }), { name: {} }, "null"],
};

const CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "", "application/json; charset=latin1", "application/xml"];

export function hostileRequests(count: number, seed: number, keys: HostileKeys, knownTaskId: number): HostileRequest[] {
  const random = seededRandom(seed);
  const families: [string, number, () => HostileRequest][] = [
    ["v1-field-type-or-size", 18, () => v1Field(random, keys)],
    ["v1-syntax-and-nesting", 6, () => v1Syntax(random, keys)],
    ["v1-unknown-and-prototype-keys", 5, () => v1Keys(random, keys)],
    ["v1-credentials-and-scope", 8, () => v1Credentials(random, keys)],
    ["v1-methods-and-ids", 4, () => v1Reads(random, keys)],
    ["drop-in-field-type-or-size", 18, () => dropInField(random, keys)],
    ["drop-in-syntax-and-prototype", 7, () => dropInSyntax(random, keys)],
    ["drop-in-credentials-and-scope", 8, () => dropInCredentials(random, keys)],
    ["drop-in-task-queries", 8, () => taskQuery(random, keys, knownTaskId)],
    ["drop-in-unknown-apis", 2, () => unknownApi(random, keys)],
  ];
  const total = families.reduce((sum, [, weight]) => sum + weight, 0);
  const requests: HostileRequest[] = [];
  // Every family at least once, then by weight.
  for (const [family, , make] of families) requests.push({ ...make(), family });
  while (requests.length < count) {
    let roll = random() * total;
    const [family, , make] = families.find(([, weight]) => (roll -= weight) < 0) ?? families[0]!;
    requests.push({ ...make(), family });
  }
  return requests;
}

/** Two requests past the body limit, one per route: few, as each is 8 MB on the wire. */
export function oversizedRequests(keys: HostileKeys, limitBytes: number): HostileRequest[] {
  const filler = "x".repeat(limitBytes + 1);
  return [
    { route: "v1", family: "v1-body-too-large", ...v1Post(keys.all, JSON.stringify({ templateId: TEMPLATE_ID, userIds: ["123"], data: { name: filler } })) },
    { route: "drop-in", family: "drop-in-body-too-large", ...dropInPost(keys.all, JSON.stringify({ agent_id: AGENT_ID, template_id: TEMPLATE_ID, userid_list: "123", data: filler })) },
  ];
}

function v1Base(): Record<string, unknown> {
  return { templateId: TEMPLATE_ID, userIds: ["123"], data: { name: "fuzz", name2: "" } };
}

function v1Post(key: string | undefined, body: string, headers: Record<string, string> = {}): Omit<HostileRequest, "route" | "family"> {
  return {
    method: "POST",
    path: "/v1/notifications",
    headers: { "content-type": "application/json", ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body,
  };
}

function withContentType(random: Random, request: Omit<HostileRequest, "route" | "family">): HostileRequest {
  const contentType = random() < 0.3 ? pick(random, CONTENT_TYPES) : undefined;
  const headers = { ...request.headers };
  if (contentType !== undefined) headers["content-type"] = contentType;
  return { route: "v1", family: "", ...request, headers };
}

function v1Field(random: Random, keys: HostileKeys): HostileRequest {
  const body = v1Base();
  const field = pick(random, Object.keys(BAD_V1_FIELDS));
  body[field] = pick(random, BAD_V1_FIELDS[field]!);
  // A second fault now and then: the first one found must still be reported cleanly.
  if (random() < 0.2) {
    const other = pick(random, Object.keys(BAD_V1_FIELDS));
    body[other] = pick(random, BAD_V1_FIELDS[other]!);
  }
  return withContentType(random, v1Post(keys.all, JSON.stringify(body)));
}

function v1Syntax(random: Random, keys: HostileKeys): HostileRequest {
  const base = JSON.stringify(v1Base());
  const texts = [
    () => base.slice(0, Math.floor(random() * (base.length - 1))),
    () => pick(random, ["", "{", "nul", "[]", '"str"', "1", "true", "null", "{}", "{'templateId':1}", "\u0000", "\ufeff{}"]),
    () => deepArray(1 + Math.floor(random() * 50_000)),
    () => deepObject(1 + Math.floor(random() * 5_000)),
    () => JSON.stringify({ ...v1Base(), data: JSON.parse(deepObject(50)) }),
    () => JSON.stringify({ ...v1Base(), userIds: [JSON.parse(deepArray(100))] }),
    () => `templateId=${TEMPLATE_ID}&userIds=123`,
    () => base.replace("123", "\\ud800"),
    () => base.replace('"fuzz"', '"\\ud83d"'),
    () => `${base}${base}`,
  ];
  return withContentType(random, v1Post(keys.all, pick(random, texts)()));
}

function v1Keys(random: Random, keys: HostileKeys): HostileRequest {
  const base = JSON.stringify(v1Base()).slice(1, -1);
  const texts = [
    `{"__proto__":{${base}}}`,
    `{${base},"__proto__":{"templateId":"x"}}`,
    `{${base},"constructor":{"prototype":{"polluted":"yes"}}}`,
    `{${base},"data":{"__proto__":"x","name":"a"}}`,
    `{${base},"${pick(random, ["priority", "toString", "userid_list", "", "prototype", "hasOwnProperty"])}":1}`,
    `{"templateId":"${TEMPLATE_ID}","__proto__":{"userIds":["123"]}}`,
  ];
  return withContentType(random, v1Post(keys.all, pick(random, texts)));
}

function v1Credentials(random: Random, keys: HostileKeys): HostileRequest {
  const body = JSON.stringify(v1Base());
  const cases = [
    () => v1Post(undefined, body),
    () => v1Post("wrong-key", body),
    () => v1Post(`${keys.all}x`, body),
    () => ({ ...v1Post(undefined, body), headers: { "content-type": "application/json", authorization: pick(random, [`Basic ${keys.all}`, `Bearer ${keys.all} extra`, "Bearer", `bearer\t${"x".repeat(5000)}`]) } }),
    () => v1Post(keys.internalApp, body),
    () => v1Post(keys.otherTemplate, body),
    () => v1Post(keys.otherCorp, body),
    () => v1Post(keys.all, body, { "idempotency-key": "k".repeat(256 + Math.floor(random() * 100)) }),
    () => v1Post(undefined, body, { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" }),
    () => v1Post(undefined, body, { "x-hub-signature-256": "sha256=00" }),
  ];
  return { ...pick(random, cases)(), route: "v1", family: "" };
}

function v1Reads(random: Random, keys: HostileKeys): HostileRequest {
  const uuid = "0f0e0d0c-0b0a-4908-8706-050403020100";
  const id = pick(random, [
    `${AGENT_ID}.ZGluZ2RlbW9jb3Jw.${uuid}`,
    `123.ZGluZ2RlbW9jb3Jw.${uuid}`,
    `${AGENT_ID}.%ED%A0%80.${uuid}`,
    `${AGENT_ID}.b3RoZXJjb3Jw.${uuid}`,
    "..",
    "%00",
    "x".repeat(2000),
    `99999999999999999999.ZGluZ2RlbW9jb3Jw.${uuid}`,
  ]);
  const key = pick(random, [keys.all, keys.internalApp, keys.otherTemplate, keys.otherCorp, "wrong"]);
  const method = pick(random, ["GET", "GET", "PATCH", "DELETE", "PUT"]);
  const path = method === "GET" ? `/v1/notifications/${id}` : pick(random, ["/v1/notifications", `/v1/notifications/${id}`, "/v1/suite-tickets/suite-demo-key"]);
  return { route: "v1", family: "", method, path, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, ...(method === "GET" ? {} : { body: '{"suiteTicket":"x"}' }) };
}

function vendorBase(): Record<string, unknown> {
  return { agent_id: AGENT_ID, template_id: TEMPLATE_ID, userid_list: "123", data: JSON.stringify({ name: "fuzz", name2: "" }) };
}

function dropInPost(key: string | undefined, body: string, headers: Record<string, string> = {}, path = SEND_PATH): Omit<HostileRequest, "route" | "family"> {
  return { method: "POST", path: key === undefined ? path : `${path}?access_token=${encodeURIComponent(key)}`, headers: { "content-type": "application/json", ...headers }, body };
}

/** A lone surrogate: only JSON's escapes carry one; a form would turn it into U+FFFD, a usable character. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The parameters as JSON, a form or a multipart body, as SDKs and curl send
 * them. A value whose fault is its JSON type or a lone surrogate goes as JSON
 * only: a form would carry `["123"]` or 123 as a perfectly good userid.
 */
function encodeVendor(random: Random, key: string, params: Record<string, unknown>, path = SEND_PATH, base: Record<string, unknown> = vendorBase()): HostileRequest {
  const jsonOnly = Object.entries(params).some(
    ([name, value]) => value !== undefined && (typeof value !== typeof base[name] || value === null || (typeof value === "string" && LONE_SURROGATE.test(value))),
  );
  const encoding = jsonOnly ? 0 : random();
  let request: Omit<HostileRequest, "route" | "family">;
  const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  if (encoding < 0.6) {
    request = dropInPost(key, JSON.stringify(params), {}, path);
  } else if (encoding < 0.85) {
    const form = new URLSearchParams({ access_token: key });
    for (const [name, value] of Object.entries(params)) if (value !== undefined) form.set(name, asText(value));
    request = dropInPost(undefined, form.toString(), { "content-type": "application/x-www-form-urlencoded;charset=utf-8" }, path);
  } else {
    const boundary = "fuzzboundary";
    const parts = Object.entries({ access_token: key, ...params })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${asText(value)}\r\n`);
    request = dropInPost(undefined, `${parts.join("")}--${boundary}--\r\n`, { "content-type": `multipart/form-data; boundary=${boundary}` }, path);
  }
  return { route: "drop-in", family: "", ...request };
}

function dropInField(random: Random, keys: HostileKeys): HostileRequest {
  const params = vendorBase();
  const field = pick(random, Object.keys(BAD_VENDOR_FIELDS));
  params[field] = pick(random, BAD_VENDOR_FIELDS[field]!);
  if (field === "userid_list" && random() < 0.5) params.dept_id_list = undefined;
  return encodeVendor(random, keys.all, params);
}

function dropInSyntax(random: Random, keys: HostileKeys): HostileRequest {
  const base = JSON.stringify(vendorBase());
  const texts = [
    () => base.slice(0, Math.floor(random() * (base.length - 1))),
    () => pick(random, ["{", "nul", "[]", '"str"', "1", "true", "null", "\u0000"]),
    () => deepArray(1 + Math.floor(random() * 50_000)),
    () => `{"__proto__":${base}}`,
    () => `{"__proto__":{"agent_id":${AGENT_ID}},"template_id":"${TEMPLATE_ID}","userid_list":"123"}`,
    () => `{"constructor":{"prototype":${base}}}`,
    () => base.replace('"123"', '"\\ud800"'),
    () => `${base}]`,
  ];
  const contentType = pick(random, ["application/json", "text/plain", "", "application/json; charset=utf-16"]);
  return { route: "drop-in", family: "", ...dropInPost(keys.all, pick(random, texts)(), { "content-type": contentType }) };
}

function dropInCredentials(random: Random, keys: HostileKeys): HostileRequest {
  const params = vendorBase();
  const cases = [
    () => ({ route: "drop-in" as const, family: "", ...dropInPost(undefined, JSON.stringify(params)) }),
    () => encodeVendor(random, "wrong-key", params),
    () => encodeVendor(random, `${keys.all} `, params),
    () => encodeVendor(random, keys.internalApp, params),
    () => encodeVendor(random, keys.otherTemplate, params),
    () => encodeVendor(random, keys.otherCorp, params),
    () => encodeVendor(random, keys.all, { ...params, agent_id: pick(random, [1, 2, 948060597]) }),
    () => ({ route: "drop-in" as const, family: "", ...dropInPost(keys.all, JSON.stringify(params), { "idempotency-key": "k".repeat(256) }) }),
    () => ({ route: "drop-in" as const, family: "", ...dropInPost(keys.internalApp, JSON.stringify(params), { authorization: "Bearer wrong" }) }),
  ];
  return pick(random, cases)();
}

function taskQuery(random: Random, keys: HostileKeys, knownTaskId: number): HostileRequest {
  const path = pick(random, TASK_PATHS);
  const base = { agent_id: AGENT_ID, task_id: knownTaskId };
  const query = (key: string, params: Record<string, unknown>) => encodeVendor(random, key, params, path, base);
  const cases = [
    () => query(keys.internalApp, base),
    () => query(keys.otherTemplate, base),
    () => query(keys.otherCorp, base),
    () => query("wrong-key", base),
    () => query(keys.all, { agent_id: AGENT_ID, task_id: pick(random, ["x", -1, 0, 1.5, "99999999999999999999", null, [], {}]) }),
    () => query(keys.all, { agent_id: pick(random, ["x", -1, 0, 1.5, 1, null, {}]), task_id: knownTaskId }),
    () => query(keys.all, { task_id: knownTaskId }),
    () => ({ route: "drop-in" as const, family: "", ...dropInPost(keys.all, pick(random, ["{", "[]", deepArray(1000), `{"__proto__":${JSON.stringify(base)}}`]), {}, path) }),
  ];
  return pick(random, cases)();
}

function unknownApi(random: Random, keys: HostileKeys): HostileRequest {
  const path = pick(random, ["/topapi/message/corpconversation/recall", "/topapi/unknown", "/topapi/", `${SEND_PATH}/extra`]);
  const method = pick(random, ["GET", "POST", "PUT", "DELETE"]);
  const withBody = method !== "GET";
  return { route: "drop-in", family: "", method, path: `${path}?access_token=${keys.all}`, headers: { "content-type": "application/json" }, ...(withBody ? { body: JSON.stringify(vendorBase()) } : {}) };
}
