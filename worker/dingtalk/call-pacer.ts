/**
 * Keeps one object's calls to each vendor API under the vendor's rate (20 calls
 * per second per app per API; beyond it, 90018). Calls wait their turn rather
 * than being refused: a drain, a verification round and synchronous sends of
 * the same app share one pacer, because they share the vendor's counter.
 * In memory on purpose: after a restart the vendor's second has passed too.
 */
/**
 * The vendor's second, plus a tenth for latency jitter: calls spaced over
 * 1,100 ms of ours still arrive at most `perSecond` in any second of the vendor's.
 */
export const PACING_WINDOW_MS = 1_100;

export class CallPacer {
  readonly #perSecond: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Per API, when its most recent calls started, oldest first (at most `perSecond` kept). */
  readonly #recent = new Map<string, number[]>();

  constructor(perSecond: number, options: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {}) {
    this.#perSecond = perSecond;
    // A monotonic clock: wall-clock steps (and tests that freeze Date.now) must not stall or burst the calls.
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves when a call to `api` may start; the call counts from then. */
  async turn(api: string): Promise<void> {
    let recent = this.#recent.get(api);
    if (!recent) this.#recent.set(api, (recent = []));
    for (;;) {
      const nowMs = this.#now();
      while (recent.length > 0 && recent[0]! <= nowMs - PACING_WINDOW_MS) recent.shift();
      if (recent.length < this.#perSecond) {
        recent.push(nowMs);
        return;
      }
      // Just after the oldest call in the window has left it.
      await this.#sleep(recent[0]! + PACING_WINDOW_MS + 1 - nowMs);
    }
  }
}
