import { TemplateData, type SendByTemplateWire } from "./corpconversation.ts";

/**
 * Reading sendbytemplate's fields the way the vendor does, shared by the mock
 * and the worker's drop-in route so both accept and refuse the same inputs.
 */

/** Splits the vendor's comma-separated lists; blanks between commas are ignored. */
export function splitList(list: string | undefined): string[] {
  if (list === undefined) return [];
  const out: string[] = [];
  for (const part of list.split(",")) {
    const trimmed = part.trim();
    if (trimmed !== "") out.push(trimmed);
  }
  return out;
}

/** `data` arrives as a JSON string (documented) or an object (the Java SDK); both must hold only strings. Returns the problem as a string. */
export function parseTemplateData(raw: SendByTemplateWire["data"]): TemplateData | string {
  if (raw === undefined || raw === "") return {};
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return "not valid JSON";
    }
  }
  const quick = quickTemplateData(value);
  if (quick) return quick;
  // JSON.parse keeps "__proto__" as a key, but a JS object cannot hold it as one: the schema would drop it
  // and send the rest as if it had never been there. Refused by name, as the worker's own route does.
  if (typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__")) return '"__proto__" is not a usable variable name';
  const parsed = TemplateData.safeParse(value);
  if (!parsed.success) return "must be an object whose keys and values are all strings";
  return parsed.data;
}

/** The common case without zod: a plain object of strings. Undefined sends the value through the schema instead. */
export function quickTemplateData(value: unknown): TemplateData | undefined {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  const data: TemplateData = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item !== "string" || key === "__proto__") return undefined;
    data[key] = item;
  }
  return data;
}
