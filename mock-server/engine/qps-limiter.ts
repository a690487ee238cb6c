/**
 * The vendor's per-app, per-API calls-per-second limit (90018). Counted in
 * whole seconds of the mock's clock, so a frozen clock keeps every call in
 * one second: advance it, or switch the limit off, to make more than the limit.
 */
export class QpsLimiter {
  #seconds = new Map<string, { second: number; calls: number }>();

  /** Counts a call; false when the caller is over the limit in this second. */
  admit(key: string, nowMs: number, limit: number): boolean {
    const second = Math.floor(nowMs / 1000);
    const slot = this.#seconds.get(key);
    if (!slot || slot.second !== second) {
      this.#seconds.set(key, { second, calls: 1 });
      return true;
    }
    if (slot.calls >= limit) return false;
    slot.calls += 1;
    return true;
  }

  reset(): void {
    this.#seconds.clear();
  }
}
