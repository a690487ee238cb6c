/**
 * The vendor reads parameters from the query string and from a JSON,
 * form-encoded or multipart body alike (the seed's curl puts the token in a
 * form body, the SDKs put it in the query). Body values win over query values.
 */
export type RequestParams = { ok: true; params: Record<string, unknown> } | { ok: false; problem: string };

export async function readRequestParams(request: Request): Promise<RequestParams> {
  const url = new URL(request.url);
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (request.method === "GET" || request.method === "HEAD") return { ok: true, params };

  const contentType = (request.headers.get("content-type") ?? "").toLowerCase();
  if (contentType.includes("multipart/form-data")) {
    const form = await request.formData().catch(() => undefined);
    if (!form) return { ok: false, problem: "the multipart body cannot be read" };
    for (const [key, value] of form) if (typeof value === "string") params[key] = value;
    return { ok: true, params };
  }
  // Bytes, not .text(): workerd warns when a form body is read as text.
  const text = new TextDecoder().decode(await request.arrayBuffer());
  if (text.trim() === "") return { ok: true, params };
  if (contentType.includes("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(text)) params[key] = value;
    return { ok: true, params };
  }
  // Anything that is not a form is read as JSON (clients often leave text/plain on a JSON body).
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the body is neither a form nor valid JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, problem: "the JSON body must be an object" };
  }
  Object.assign(params, body);
  return { ok: true, params };
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
