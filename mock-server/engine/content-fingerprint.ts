import type { TemplateData } from "../../protocol/index.ts";

/**
 * "Same content" for the once-a-day rule: the template plus its data with keys
 * in a canonical order, so {"a","b"} and {"b","a"} are the same message.
 */
export function contentFingerprint(templateId: string, data: TemplateData): string {
  const canonical = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return `${templateId}:${cyrb53(JSON.stringify(canonical)).toString(36)}`;
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
