import type { Hono } from "hono";
import type { WorldEnv } from "../world-bindings.ts";
import { INBOX_PAGE } from "./inbox-page.ts";

/** The web inbox, at /__inbox of each world (`/__inbox`, `/w/<name>/__inbox`). */
export function inboxRoutes(app: Hono<WorldEnv>): void {
  app.get("/__inbox", (c) => c.html(INBOX_PAGE));
  // Relative, so it stays inside the world whatever prefix the page is under.
  app.get("/__inbox/", (c) => c.redirect("../__inbox"));
}
