import * as z from "../../protocol/zod.ts";
import type { TemplateData } from "../../protocol/index.ts";

/**
 * The fields of a send, read one way for `POST /v1/notifications` and for the
 * drop-in `sendbytemplate`: whatever passes here is something the vendor, the
 * quota ledger and the notification log can all hold, so no bad value is ever
 * sent first and refused later.
 */

/** DingTalk's userid is at most 64 characters. */
export const MAX_USERID_LENGTH = 64;
export const MAX_TEMPLATE_ID_LENGTH = 128;
export const MAX_CORP_ID_LENGTH = 64;
/**
 * The template variables as JSON, in UTF-8 bytes. The vendor does not say; a
 * template renders a few short strings, and the variables are stored with
 * every notification (one SQLite value holds at most 2 MB), so 32 KiB is
 * generous for the one and far from the other.
 */
export const MAX_TEMPLATE_DATA_BYTES = 32 * 1024;

/** A lone surrogate: text no UTF-8 store or wire can carry as it is (SQLite would turn it into U+FFFD, so two ids would become one). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const ILL_FORMED_MESSAGE = "must be well-formed Unicode (it holds a lone surrogate)";
/** Unicode's format characters (\p{Cf}): they print as nothing, so two ids that look alike would differ. */
const INVISIBLE = "invisible format characters (such as U+200B ZERO WIDTH SPACE)";

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * A non-blank id of at most `maxLength` characters, well-formed, matching
 * `pattern`; the checks run, and report, in this order. Patterns accept the
 * empty string, so a blank id is told only that it is blank.
 */
const idText = (maxLength: number, pattern: RegExp, message: string) =>
  z.string().check(z.minLength(1), z.maxLength(maxLength), z.refine(isWellFormed, ILL_FORMED_MESSAGE), z.regex(pattern, message));

/** Never blank, never the vendor's list separator, nothing invisible: the vendor splits and trims lists, so such an id could reach someone else. */
export const UserId = idText(MAX_USERID_LENGTH, /^[^,\s\p{Cc}\p{Cf}]*$/u, `must not contain commas, white space, control characters or ${INVISIBLE}`);

/** A positive integer JavaScript holds exactly: past 2^53 two ids would be one, and the vendor answers -1 (which SDKs retry forever). */
export const DeptId = z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER));

export const AgentId = z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER));

export const TemplateId = idText(MAX_TEMPLATE_ID_LENGTH, /^[^\p{Cc}\p{Cf}]*$/u, `must not contain control characters or ${INVISIBLE}`);

export const CorpId = idText(MAX_CORP_ID_LENGTH, /^[^\s\p{Cc}\p{Cf}]*$/u, `must not contain white space, control characters or ${INVISIBLE}`);

export interface FieldIssue {
  /** Below the field itself: `["name"]` for `data.name`. */
  path: string[];
  message: string;
}

/**
 * Template variables: a plain object of strings, well-formed, at most
 * MAX_TEMPLATE_DATA_BYTES as JSON. `__proto__` is refused by name: as a key
 * it would silently vanish (or replace a prototype) on the way to the vendor.
 */
export function templateDataIssues(value: unknown): FieldIssue[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [{ path: [], message: "must be an object whose keys and values are all strings" }];
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (key === "__proto__") issues.push({ path: [key], message: "is not a usable variable name" });
    else if (!isWellFormed(key)) issues.push({ path: [key], message: `the name ${ILL_FORMED_MESSAGE}` });
    else if (typeof item !== "string") issues.push({ path: [key], message: "must be a string" });
    else if (!isWellFormed(item)) issues.push({ path: [key], message: ILL_FORMED_MESSAGE });
  }
  if (issues.length > 0) return issues;
  const bytes = utf8Length(JSON.stringify(value));
  if (bytes > MAX_TEMPLATE_DATA_BYTES) return [{ path: [], message: `at most ${MAX_TEMPLATE_DATA_BYTES} bytes as JSON (this is ${bytes})` }];
  return [];
}

/** The variables as a fresh plain object, once `templateDataIssues` found nothing. */
export function copyTemplateData(value: object): TemplateData {
  const data: TemplateData = {};
  for (const key of Object.keys(value)) data[key] = (value as Record<string, string>)[key]!;
  return data;
}

/** `data` in the /v1 body: the same rules as the drop-in route, each problem named by its variable. */
export const TemplateVariables = z.pipe(
  z.unknown().check(
    z.superRefine((value, ctx) => {
      for (const issue of templateDataIssues(value)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }),
  ),
  z.transform((value) => copyTemplateData(value as object)),
);

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
