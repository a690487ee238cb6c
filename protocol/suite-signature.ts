/**
 * Signature of `/service/get_corp_token`:
 * base64(HMAC-SHA256(key = suiteSecret, message = timestamp + "\n" + suiteTicket)).
 * The caller URL-encodes it (URLSearchParams does). WebCrypto only, so the same
 * code runs in Workers, Node and browsers.
 */
export async function signSuiteRequest(
  suiteSecret: string,
  timestampMs: string,
  suiteTicket: string,
): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(suiteSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestampMs}\n${suiteTicket}`));
  return bytesToBase64(new Uint8Array(mac));
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Compares two strings without an early exit, so timing does not leak the expected value. */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return diff === 0;
}
