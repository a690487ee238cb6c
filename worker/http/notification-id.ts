import { lowerHex } from "../../protocol/index.ts";

/**
 * Notification ids carry the (corp, app) they belong to, so GET can find the
 * right Durable Object without a lookup: `<agentId>.<base64url(corpId)>.<uuid>`.
 * The uuid is a version 7 (RFC 9562): it starts with the time, so the object's
 * tables and indexes keyed by notification id take each new one at their
 * right edge, and the sends of one commit share pages instead of each
 * dirtying a page of its own. Ids made before (version 4) still parse.
 */
export function newNotificationId(corpId: string, agentId: number, nowMs: number = Date.now()): string {
  return `${agentId}.${base64url(corpId)}.${uuidV7(nowMs)}`;
}

/** RFC 9562 §5.7: 48 bits of Unix milliseconds, the version, 74 random bits and the variant. */
export function uuidV7(nowMs: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let ms = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = lowerHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function parseNotificationId(id: string): { corpId: string; agentId: number } | undefined {
  const match = /^(\d+)\.([A-Za-z0-9_-]+)\.[0-9a-f-]{36}$/.exec(id);
  if (!match) return undefined;
  try {
    return { agentId: Number(match[1]), corpId: fromBase64url(match[2]!) };
  } catch {
    return undefined;
  }
}

export function senderName(corpId: string, agentId: number): string {
  return `${corpId}/${agentId}`;
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): string {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}
