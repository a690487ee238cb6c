import { expect } from "vitest";
import { VendorPath } from "../../protocol/index.ts";
import { getJson, type Answer, type MockView } from "./harness.ts";

/** The body of an RFC 9457 problem from /__admin. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  errors?: { path: string; message: string }[];
}

/** A raw /__admin call, for the cases the typed client turns into a thrown Error. */
export function adminCall(mock: MockView, method: string, path: string, body?: unknown): Promise<Response> {
  return mock.fetch(`${mock.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Asserts a problem+json answer with this status and code and, if given, an error naming `field`. */
export async function expectProblem(response: Response, status: number, code: string, field?: string): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await response.json()) as Problem;
  expect(problem).toMatchObject({ status, code });
  if (field !== undefined) expect(problem.errors?.map((error) => error.path)).toContain(field);
  return problem;
}

export function getToken(mock: MockView, appkey: string, appsecret: string): Promise<Answer> {
  return getJson(mock, `${VendorPath.getToken}?${new URLSearchParams({ appkey, appsecret })}`);
}
