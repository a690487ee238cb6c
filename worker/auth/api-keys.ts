import * as z from "../../protocol/zod.ts";
import { lowerHex, timingSafeEqualStrings } from "../../protocol/index.ts";
import { Scope, type Principal } from "./principal.ts";

/**
 * API keys, from the `API_KEYS` secret: only their SHA-256 is stored, so the
 * configuration never holds a usable key.
 * `[{"id": "frontend", "sha256": "<64 hex>", "scope": {"corps": [...], "agents": [...], "templates": [...]}}]`
 */
export const ApiKeysConfig = z.array(
  z.object({
    id: z.string().check(z.minLength(1)),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, "must be the lower-case hex SHA-256 of the key")),
    scope: Scope,
  }),
);
export type ApiKeysConfig = z.infer<typeof ApiKeysConfig>;

const utf8 = new TextEncoder();

/** Lower-case hex SHA-256 of the text's UTF-8: an API key's hash, a content's fingerprint. */
export async function sha256Hex(text: string): Promise<string> {
  return lowerHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text))));
}

/** The key's principal, or undefined. Every configured hash is compared, in constant time, whatever matches. */
export async function authenticateApiKey(keys: ApiKeysConfig, presented: string): Promise<Principal | undefined> {
  const hash = await sha256Hex(presented);
  let match: Principal | undefined;
  for (const key of keys) {
    if (timingSafeEqualStrings(key.sha256, hash) && !match) match = { id: key.id, kind: "api-key", scope: key.scope };
  }
  return match;
}
