import { canonicalContent, type TemplateData } from "../../protocol/index.ts";

/**
 * A 53-bit hash of the canonical content (which names the template), so the
 * ledger holds a number per message, not the message. Snapshots before 2026-12
 * wrote it as "<templateId>:<base 36>"; the ledger reads both.
 */
export function contentFingerprint(templateId: string, data: TemplateData): number {
  return cyrb53(canonicalContent(templateId, data));
}

/** cyrb53: a fast 53-bit string hash; collisions are negligible at a day's volume per employee. */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
