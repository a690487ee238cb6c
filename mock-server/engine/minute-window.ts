/**
 * Recipients delivered per (corp, app) in the vendor's per-minute window.
 * Only delivered recipients count: the vendor says throttled ones "were not sent".
 */
export const MINUTE_MS = 60_000;

export type MinuteWindowMode = "sliding" | "calendar";

export interface WindowUse {
  used: number;
  /** Where the window that holds `now` begins, for explanations. */
  windowStartMs: number;
}

interface Burst {
  atMs: number;
  count: number;
}

export class MinuteWindow {
  /** Per app key, bursts in time order; old ones are pruned as windows move on. */
  #bursts = new Map<string, Burst[]>();

  use(appKey: string, nowMs: number, mode: MinuteWindowMode): WindowUse {
    const windowStartMs = mode === "calendar" ? nowMs - (nowMs % MINUTE_MS) : nowMs - MINUTE_MS + 1;
    const bursts = this.#bursts.get(appKey);
    if (!bursts) return { used: 0, windowStartMs };
    let firstInside = 0;
    while (firstInside < bursts.length && bursts[firstInside]!.atMs < windowStartMs) firstInside++;
    // Nothing before the window can matter again unless the clock is set back;
    // keep one window of history so a rewind by less than a minute stays exact.
    const pruneBefore = windowStartMs - MINUTE_MS;
    let prunable = 0;
    while (prunable < bursts.length && bursts[prunable]!.atMs < pruneBefore) prunable++;
    if (prunable > 0) {
      bursts.splice(0, prunable);
      firstInside -= prunable;
    }
    let used = 0;
    for (let i = firstInside; i < bursts.length; i++) {
      const burst = bursts[i]!;
      if (burst.atMs <= nowMs) used += burst.count;
    }
    return { used, windowStartMs };
  }

  record(appKey: string, nowMs: number, count: number): void {
    if (count <= 0) return;
    const bursts = this.#bursts.get(appKey);
    if (!bursts) {
      this.#bursts.set(appKey, [{ atMs: nowMs, count }]);
      return;
    }
    const last = bursts[bursts.length - 1];
    if (last && last.atMs === nowMs) last.count += count;
    else if (!last || last.atMs < nowMs) bursts.push({ atMs: nowMs, count });
    else {
      // The clock was set back: keep the list ordered.
      const at = bursts.findIndex((burst) => burst.atMs > nowMs);
      bursts.splice(at, 0, { atMs: nowMs, count });
    }
  }

  snapshot(): [string, Burst[]][] {
    return [...this.#bursts];
  }

  restore(data: [string, Burst[]][]): void {
    this.#bursts = new Map(data);
  }
}
