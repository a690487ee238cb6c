/**
 * mulberry32: a tiny, fast PRNG whose sequence is fixed by its seed, so a fault
 * rule with a probability fires on the same calls in every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Request ids look like the vendor's: 12 to 13 lower-case base-36 characters. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(13));
  let id = "";
  for (const byte of bytes) id += BASE36[byte % 36];
  return id;
}

/** Access tokens: 32 hex characters of real randomness. */
export function newAccessToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
