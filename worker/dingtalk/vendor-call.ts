import * as z from "../../protocol/zod.ts";
import { VendorAnswer } from "../../protocol/index.ts";
import { DingTalkApiError, DingTalkTransportError } from "./errors.ts";

export interface VendorCall<T extends z.core.$ZodType> {
  fetch: typeof fetch;
  baseUrl: string;
  path: string;
  method: "GET" | "POST";
  query?: Record<string, string>;
  /** Sent as JSON, as the official SDKs do. */
  body?: unknown;
  /** The success answer's shape; every answer is parsed before anything reads it. */
  answer: T;
  timeoutMs: number;
}

/**
 * One HTTP exchange with the vendor, no retries: the answer parsed with the
 * shared schema, or a typed error saying whether the request may have taken
 * effect.
 */
export async function callVendor<T extends z.core.$ZodType>(call: VendorCall<T>): Promise<z.output<T>> {
  // Concatenate rather than resolve: a base URL with a path (a proxy, a mock world) keeps it. Built as
  // text: parsing it into a URL object costs more than the rest of the call's own work, and fetch parses it anyway.
  const query = call.query ? formEncoded(call.query) : "";
  const url = `${call.baseUrl.replace(/\/+$/, "")}${call.path}${query ? `?${query}` : ""}`;

  // A timer we clear, rather than AbortSignal.timeout: a pending timeout keeps a
  // Durable Object busy (no eviction, no hibernation) long after the answer came.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${call.timeoutMs} ms`, "TimeoutError")), call.timeoutMs);
  let response: Response;
  let json: unknown;
  try {
    try {
      // Called detached: Workers' global fetch throws "Illegal invocation" when called as a method of `call`.
      const fetchFn = call.fetch;
      response = await fetchFn(url, {
        method: call.method,
        headers: call.body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
      });
    } catch (error) {
      // Either way the request may have left: a reset or a timeout says nothing about whether the vendor acted.
      throw new DingTalkTransportError(call.path, controller.signal.aborted ? `no answer within ${call.timeoutMs} ms` : "network error", {
        mayHaveReachedVendor: true,
        cause: error,
      });
    }
    try {
      json = await response.json();
    } catch (error) {
      throw new DingTalkTransportError(call.path, `HTTP ${response.status} without a JSON answer`, {
        status: response.status,
        mayHaveReachedVendor: mayHaveActed(response.status),
        cause: error,
      });
    }
  } finally {
    clearTimeout(timer);
  }
  // The common answer first, in one parse: a success in the documented shape.
  if (response.ok) {
    const answer = z.safeParse(call.answer, json);
    if (answer.success && (answer.data as { errcode?: unknown }).errcode === 0) return answer.data;
  }
  if (!response.ok) {
    throw new DingTalkTransportError(call.path, `HTTP ${response.status}`, { status: response.status, mayHaveReachedVendor: mayHaveActed(response.status) });
  }
  const envelope = VendorAnswer.safeParse(json);
  if (!envelope.success) {
    throw new DingTalkTransportError(call.path, "the answer is not a DingTalk envelope (no errcode)", { status: response.status, mayHaveReachedVendor: true });
  }
  if (envelope.data.errcode !== 0) throw new DingTalkApiError(call.path, envelope.data as ConstructorParameters<typeof DingTalkApiError>[1]);
  const parsed = z.safeParse(call.answer, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DingTalkTransportError(call.path, `errcode 0 but the answer does not match the documented shape at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`, {
      status: response.status,
      mayHaveReachedVendor: true,
    });
  }
  return parsed.data;
}

/** What application/x-www-form-urlencoded leaves as it is. */
const FORM_SAFE = /^[A-Za-z0-9*._-]*$/;

/**
 * The query as URLSearchParams writes it. Keys, tokens and timestamps are
 * plain ASCII that the encoding leaves unchanged, so they are joined as they
 * are; URLSearchParams (a native object in workerd, made and collected on
 * every call) only encodes the rest.
 */
function formEncoded(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([key, value]) => (FORM_SAFE.test(key) && FORM_SAFE.test(value) ? `${key}=${value}` : new URLSearchParams([[key, value]]).toString()))
    .join("&");
}

/**
 * Whether the vendor may have acted on a request whose answer was not its
 * JSON. A 4xx is a refusal by whatever stands in front (nothing went further);
 * a 5xx can come from a gateway after the vendor already delivered, and so can
 * a 2xx with a broken body: those are uncertain, never "not sent".
 */
function mayHaveActed(status: number): boolean {
  return status < 400 || status >= 500;
}
