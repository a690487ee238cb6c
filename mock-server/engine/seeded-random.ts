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
const REQUEST_ID_LENGTH = 13;

/**
 * Real randomness drawn for many ids at once: one crypto call per id cost more
 * than the rest of a one-recipient send's bookkeeping. Each byte is used once.
 */
const randomBytes = new Uint8Array(REQUEST_ID_LENGTH * 512);
let randomOffset = randomBytes.length;

/** Request ids look like the vendor's: 12 to 13 lower-case base-36 characters. */
export function newRequestId(): string {
  if (randomOffset + REQUEST_ID_LENGTH > randomBytes.length) {
    crypto.getRandomValues(randomBytes);
    randomOffset = 0;
  }
  let id = "";
  for (let end = randomOffset + REQUEST_ID_LENGTH; randomOffset < end; randomOffset++) id += BASE36[randomBytes[randomOffset]! % 36];
  return id;
}

/** Access tokens: 32 hex characters of real randomness. */
export function newAccessToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
