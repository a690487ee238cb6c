import type { TemplateData } from "./corpconversation.ts";

/**
 * "Same content" in the vendor's once-a-day rule, most plausibly the same
 * template with the same variables (unconfirmed). Canonical form: the template
 * id and the variables sorted by key, so key order never makes two sends differ.
 */
export function canonicalContent(templateId: string, data: TemplateData): string {
  const entries = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return JSON.stringify([templateId, entries]);
}
