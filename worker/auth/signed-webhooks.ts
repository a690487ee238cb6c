import { Webhook, WebhookVerificationError } from "standardwebhooks";
import * as z from "../../protocol/zod.ts";
import { lowerHex, timingSafeEqualStrings } from "../../protocol/index.ts";
import { Scope, type Principal } from "./principal.ts";

/**
 * Webhook senders, from the `WEBHOOK_SENDERS` secret. Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256
 * of id.timestamp.body>`, 5-minute tolerance) with a `whsec_` secret; or GitHub's
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` with a plain secret.
 */
export const WebhookSendersConfig = z.array(
  z.object({
    id: z.string().check(z.minLength(1)),
    scheme: z._default(z.enum(["standard-webhooks", "github"]), "standard-webhooks"),
    secret: z.string().check(z.minLength(16)),
    scope: Scope,
  }),
);
export type WebhookSendersConfig = z.infer<typeof WebhookSendersConfig>;

export type WebhookVerdict = { ok: true; principal: Principal } | { ok: false; reason: string } | undefined;

/** Undefined when the request carries no webhook signature at all. */
export async function verifyWebhook(senders: WebhookSendersConfig, headers: Headers, body: string): Promise<WebhookVerdict> {
  if (headers.has("webhook-signature")) return verifyStandardWebhook(senders, headers, body);
  if (headers.has("x-hub-signature-256")) return verifyGithubWebhook(senders, headers, body);
  return undefined;
}

function verifyStandardWebhook(senders: WebhookSendersConfig, headers: Headers, body: string): WebhookVerdict {
  const signed = {
    "webhook-id": headers.get("webhook-id") ?? "",
    "webhook-timestamp": headers.get("webhook-timestamp") ?? "",
    "webhook-signature": headers.get("webhook-signature") ?? "",
  };
  let reason = "no webhook sender's secret matches the signature";
  for (const sender of senders) {
    if (sender.scheme !== "standard-webhooks") continue;
    try {
      // The library checks the timestamp (5 minutes either way) and compares signatures in constant time.
      new Webhook(sender.secret).verify(body, signed);
      return { ok: true, principal: { id: sender.id, kind: "webhook", scope: sender.scope, deliveryId: signed["webhook-id"] } };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      if (/timestamp/i.test(error.message)) reason = `webhook-timestamp is missing or outside the 5-minute window`;
      else if (/header/i.test(error.message)) reason = "webhook-id, webhook-timestamp and webhook-signature are all required";
    }
  }
  return { ok: false, reason };
}

async function verifyGithubWebhook(senders: WebhookSendersConfig, headers: Headers, body: string): Promise<WebhookVerdict> {
  const presented = headers.get("x-hub-signature-256") ?? "";
  for (const sender of senders) {
    if (sender.scheme !== "github") continue;
    const expected = `sha256=${await hmacHex(sender.secret, body)}`;
    if (timingSafeEqualStrings(expected, presented)) {
      const deliveryId = headers.get("x-github-delivery") ?? undefined;
      return { ok: true, principal: { id: sender.id, kind: "webhook", scope: sender.scope, ...(deliveryId ? { deliveryId } : {}) } };
    }
  }
  return { ok: false, reason: "no webhook sender's secret matches X-Hub-Signature-256" };
}

async function hmacHex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return lowerHex(new Uint8Array(mac));
}
