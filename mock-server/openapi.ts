import { z } from "zod";
import type { RouteDoc } from "./admin/route-registry.ts";
import { VENDOR_ENDPOINTS, vendorPathOf } from "./vendor/vendor-endpoints.ts";

/**
 * The OpenAPI 3.1 document of the whole mock, built from the same zod schemas
 * that validate the requests, so the document cannot drift from the code.
 */
export function openApiDocument(adminRoutes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const at = (path: string) => (paths[path] ??= {});

  for (const endpoint of VENDOR_ENDPOINTS) {
    const path = vendorPathOf(endpoint);
    const params = jsonSchema(endpoint.params);
    const tokenParam = endpoint.needsToken
      ? [{ name: "access_token", in: "query", required: false, schema: { type: "string" }, description: "Or in a form body." }]
      : [];
    at(path)[endpoint.method.toLowerCase()] = {
      tags: ["vendor"],
      operationId: endpoint.name,
      summary: endpoint.summary,
      description:
        "Vendor wire conventions: errors come as HTTP 200 with a non-zero errcode; auth and flow-control failures on /topapi are wrapped in errcode 88 with sub_code.",
      parameters:
        endpoint.method === "GET"
          ? queryParameters(params)
          : [...tokenParam, ...(endpoint.name === "getCorpToken" ? queryParameters(params).filter((p) => p.name !== "auth_corpid") : [])],
      ...(endpoint.method === "POST"
        ? {
            requestBody: {
              content: {
                "application/json": { schema: params },
                "application/x-www-form-urlencoded": { schema: params },
              },
            },
          }
        : {}),
      responses: { "200": { description: "The vendor's answer (check errcode).", content: { "application/json": { schema: jsonSchema(endpoint.answer, "output") } } } },
    };
  }

  for (const route of adminRoutes) {
    const openApiPath = route.path.replace(/:(\w+)/g, "{$1}");
    const pathParams = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1]!, in: "path", required: true, schema: { type: "string" } }));
    at(openApiPath)[route.method] = {
      tags: ["admin"],
      summary: route.summary,
      parameters: [...pathParams, ...(route.query ? queryParameters(jsonSchema(route.query)) : [])],
      ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } } } : {}),
      responses: {
        [String(route.status ?? 200)]: {
          description: "Success.",
          ...(route.response ? { content: { "application/json": { schema: jsonSchema(route.response, "output") } } } : {}),
        },
        "400": { description: "Invalid request (RFC 9457 problem details naming the field).", content: { "application/problem+json": { schema: { type: "object" } } } },
      },
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "dingtalk-edge mock DingTalk",
      version: "1",
      description:
        "A stateful double of DingTalk's work-notification API, plus its /__admin control API. " +
        "Every path but /__admin/worlds also answers under /w/{world} for that world alone (created on first use); unprefixed paths reach the world named default.",
    },
    tags: [
      { name: "vendor", description: "The DingTalk endpoints, as the vendor answers them." },
      { name: "admin", description: "Seed, inspect and steer the mock (WireMock's /__admin convention)." },
    ],
    paths,
  };
}

/** Any zod 4 schema: the vendor endpoints' come from protocol/ in zod/mini, the admin routes' are classic zod. */
function jsonSchema(schema: z.core.$ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: Record<string, unknown>): { name: string; in: "query"; required: boolean; schema: unknown }[] {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, in: "query", required: required.has(name), schema: property }));
}
