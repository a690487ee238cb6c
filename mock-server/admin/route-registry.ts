import type { Context, Env, Hono } from "hono";
import type { z } from "zod";

/** What the OpenAPI document says about one admin route; declared where the route is registered. */
export interface RouteDoc {
  method: "get" | "post" | "put" | "delete";
  /** Hono-style path: `/__admin/tasks/:taskId`. */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  response?: z.ZodType;
  status?: number;
}

/** Registers a route on the app and its documentation in the same call, so the two cannot drift. */
export class DocumentedRoutes<E extends Env = Env> {
  readonly docs: RouteDoc[] = [];
  readonly #app: Hono<E>;

  constructor(app: Hono<E>) {
    this.#app = app;
  }

  add(doc: RouteDoc, handler: (c: Context<E>) => Response | Promise<Response>): void {
    this.docs.push(doc);
    this.#app.on(doc.method.toUpperCase(), doc.path, handler);
  }
}
