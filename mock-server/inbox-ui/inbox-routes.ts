import type { Hono } from "hono";
import { INBOX_PAGE } from "./inbox-page.ts";

/** The web inbox, at /__inbox on the mock's own port. */
export function inboxRoutes(app: Hono): void {
  app.get("/__inbox", (c) => c.html(INBOX_PAGE));
  app.get("/__inbox/", (c) => c.redirect("/__inbox"));
}
