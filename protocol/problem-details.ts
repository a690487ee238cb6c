import type { Context } from "hono";
import * as z from "./zod.ts";

/**
 * RFC 9457 problem details for our own HTTP APIs (the worker's, and the mock's
 * /__admin; the mock's vendor endpoints answer in the vendor's style instead).
 * Handlers throw a ProblemError; one error handler per app turns it into
 * `application/problem+json`. `code` is stable and machine-readable; every
 * validation problem names its field in `errors[].path`.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: { path: string; message: string }[];
  /** Sent with the problem, e.g. `retry-after`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, detail: string, errors: { path: string; message: string }[] = [], headers: Record<string, string> = {}) {
    super(detail);
    this.status = status;
    this.code = code;
    this.errors = errors;
    this.headers = headers;
  }
}

export function problemResponse(error: ProblemError, instance: string): Response {
  const body = {
    type: `https://dingtalk-edge.dev/problems/${error.code}`,
    title: error.code.replaceAll("-", " "),
    status: error.status,
    detail: error.message,
    code: error.code,
    instance,
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { ...error.headers, "content-type": "application/problem+json" },
  });
}

/** A body JSON.parse refused. The parser's own message can quote the body, which may hold a secret: never passed on. */
export function invalidJson(): ProblemError {
  return new ProblemError(400, "invalid-json", "the request body is not valid JSON", [{ path: "body", message: "not valid JSON" }]);
}

/** Reads and validates a JSON body; every problem names the field it is about. */
export async function readJsonBody<T extends z.core.$ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  return parseJsonBody(await c.req.text(), schema);
}

/** The same, for a body already read (a signature or an idempotency hash needed the raw text first). */
export function parseJsonBody<T extends z.core.$ZodType>(text: string, schema: T): z.output<T> {
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw invalidJson();
    }
  }
  return validate(schema, raw, "body");
}

export function validate<T extends z.core.$ZodType>(schema: T, raw: unknown, where: "body" | "query" | "path"): z.output<T> {
  // The function, not a method: the mock's admin API passes classic zod schemas, the worker zod/mini ones.
  const parsed = z.safeParse(schema, raw);
  if (parsed.success) return parsed.data;
  // An unknown key is reported on the object holding it; name each key instead.
  const errors = parsed.error.issues.flatMap((issue) =>
    (issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]).map((path) => ({
      path: [where, ...path.map(String)].join("."),
      message: issue.message,
    })),
  );
  const first = errors[0]!;
  throw new ProblemError(400, "invalid-request", `${first.path}: ${first.message}`, errors);
}

/** A path parameter of the matched route (always present once the route matched). */
export function pathParam(c: Context, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new ProblemError(400, "invalid-request", `path.${name} is required`);
  return value;
}
