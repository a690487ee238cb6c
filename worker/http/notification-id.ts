/**
 * Notification ids carry the (corp, app) they belong to, so GET can find the
 * right Durable Object without a lookup: `<agentId>.<base64url(corpId)>.<uuid>`.
 */
export function newNotificationId(corpId: string, agentId: number): string {
  return `${agentId}.${base64url(corpId)}.${crypto.randomUUID()}`;
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
