/**
 * The vendor reads parameters from the query string and from a JSON,
 * form-encoded or multipart body alike (the seed's curl puts the token in a
 * form body, the SDKs put it in the query). Body values win over query values.
 */
export type RequestParams =
  | { ok: true; params: Record<string, unknown> }
  /** The body could not be read; `params` still holds the query's, so a token there is not lost with it. */
  | { ok: false; problem: string; params: Record<string, unknown> };

export async function readRequestParams(request: Request): Promise<RequestParams> {
  const params: Record<string, unknown> = queryParams(request.url);
  if (request.method === "GET" || request.method === "HEAD") return { ok: true, params };

  const contentType = (request.headers.get("content-type") ?? "").toLowerCase();
  if (contentType.includes("multipart/form-data")) {
    const form = await request.formData().catch(() => undefined);
    if (!form) return { ok: false, problem: "the multipart body cannot be read", params };
    for (const [key, value] of form) if (typeof value === "string") setParam(params, key, value);
    return { ok: true, params };
  }
  // Bytes, not .text(): workerd warns when a form body is read as text.
  const text = utf8.decode(await request.arrayBuffer());
  if (text.trim() === "") return { ok: true, params };
  if (contentType.includes("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(text)) setParam(params, key, value);
    return { ok: true, params };
  }
  // Anything that is not a form is read as JSON (clients often leave text/plain on a JSON body).
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the body is neither a form nor valid JSON", params };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, problem: "the JSON body must be an object", params };
  }
  for (const key of Object.keys(body)) setParam(params, key, (body as Record<string, unknown>)[key]);
  return { ok: true, params };
}

/**
 * An own property, whatever the key: assigning `__proto__` (which JSON.parse
 * and forms happily produce) would replace the object's prototype, and every
 * parameter missing from the request would then be read from the attacker's
 * object. As an own property it is just an unknown parameter, as the vendor sees it.
 */
function setParam(params: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Stateless when not streaming, so one serves every request. */
const utf8 = new TextDecoder();

/** What URLSearchParams would change: "+" and percent escapes, and non-ASCII text it re-encodes. */
const NEEDS_DECODING = /[%+]|[^\x00-\x7f]/;

/**
 * The query string's parameters, as `new URL(url).searchParams` gives them.
 * `request.url` is already a serialised URL, whose query runs from the first
 * "?" to the "#"; parsing the whole URL again cost more than the rest of
 * reading a small JSON body.
 */
function queryParams(url: string): Record<string, unknown> {
  const start = url.indexOf("?");
  if (start === -1) return {};
  const hash = url.indexOf("#", start);
  const query = hash === -1 ? url.slice(start + 1) : url.slice(start + 1, hash);
  // The "?" goes back on: URLSearchParams drops one leading "?", which must not be the query's own.
  if (NEEDS_DECODING.test(query)) return Object.fromEntries(new URLSearchParams(`?${query}`));
  // Nothing to decode (a token in the query is hex): split as the form-urlencoded parser would.
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    pairs.push(eq === -1 ? [part, ""] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return Object.fromEntries(pairs);
}

/**
 * Credentials in parameters and answers. The journal shows a token's first
 * characters, to tell two apart, and nothing of the other secrets.
 */
const PREFIX_SHOWN = new Set(["access_token"]);
const FULLY_HIDDEN = new Set(["appsecret", "suiteTicket", "signature", "suite_ticket", "suiteSecret"]);

export function maskSecrets(record: Record<string, unknown>): Record<string, unknown> {
  let masked: Record<string, unknown> | undefined;
  for (const key in record) {
    const value = record[key];
    if (PREFIX_SHOWN.has(key)) {
      masked ??= { ...record };
      masked[key] = typeof value === "string" && value.length > 8 ? `${value.slice(0, 4)}***` : "***";
    } else if (FULLY_HIDDEN.has(key)) {
      masked ??= { ...record };
      masked[key] = "***";
    }
  }
  return masked ?? record;
}
