/**
 * The mock's controllable clock. Every limit, token expiry and China-time day
 * boundary reads `now()` from here, so tests move time instead of sleeping.
 *
 * Running: mock time advances with real time from an anchor. Frozen: it stands
 * still until moved. Both can be moved forward or set to an instant.
 */
export interface ClockState {
  /** Mock time (epoch ms) at the anchor. */
  anchorMockMs: number;
  /** Real time (epoch ms) at the anchor; ignored while frozen. */
  anchorRealMs: number;
  frozen: boolean;
}

export class MockClock {
  #state: ClockState;
  readonly #realNow: () => number;

  constructor(options: { startMs?: number; frozen?: boolean; realNow?: () => number } = {}) {
    this.#realNow = options.realNow ?? Date.now;
    const real = this.#realNow();
    this.#state = { anchorMockMs: options.startMs ?? real, anchorRealMs: real, frozen: options.frozen ?? false };
  }

  now(): number {
    const { anchorMockMs, anchorRealMs, frozen } = this.#state;
    return frozen ? anchorMockMs : anchorMockMs + (this.#realNow() - anchorRealMs);
  }

  get frozen(): boolean {
    return this.#state.frozen;
  }

  /** Moves time forward only: limits and expiries never run backwards by accident. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("advanceMs must be a non-negative number");
    this.#reanchor(this.now() + ms);
  }

  /** Jumps to an instant, forwards or backwards (a test may rewind to replay a day). */
  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError("now must be a valid instant");
    this.#reanchor(epochMs);
  }

  setFrozen(frozen: boolean): void {
    const current = this.now();
    this.#state.frozen = frozen;
    this.#reanchor(current);
  }

  snapshot(): ClockState {
    return { anchorMockMs: this.now(), anchorRealMs: this.#realNow(), frozen: this.#state.frozen };
  }

  /** A running clock keeps its offset from real time across a restore; a frozen one stands where it was. */
  restore(state: ClockState): void {
    const elapsed = state.frozen ? 0 : Math.max(0, this.#realNow() - state.anchorRealMs);
    this.#state = { frozen: state.frozen, anchorMockMs: state.anchorMockMs + elapsed, anchorRealMs: this.#realNow() };
  }

  #reanchor(mockMs: number): void {
    this.#state.anchorMockMs = mockMs;
    this.#state.anchorRealMs = this.#realNow();
  }
}

export { chinaClockTime, chinaDay, nextChinaMidnight } from "../protocol/china-time.ts";
