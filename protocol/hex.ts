/** Each byte's two lower-case hex digits, by value: a table, because toString/padStart per byte cost a few µs per hash on the send path. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** The bytes as lower-case hex, two digits each. */
export function lowerHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += HEX[byte]!;
  return hex;
}
