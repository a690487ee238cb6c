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

/**
 * One app's bursts in time order, with a running total, so that a send under
 * a clock that only moves forward costs O(1) amortised instead of a scan of
 * the two minutes kept (under load, a burst per millisecond: 120,000). After
 * a rewind, bursts later than the clock are summed by a scan until it passes them.
 */
interface AppBursts {
  bursts: Burst[];
  /** bursts[0, pruned) are forgotten; the array is compacted only now and then. */
  pruned: number;
  /** First burst at or after `windowStartMs`. */
  inside: number;
  /** Sum of the counts of bursts[inside, end), future ones (after a rewind) included. */
  total: number;
  /** The window start `inside` and `total` were computed for. */
  windowStartMs: number;
  /** Set when the clock went back or bursts arrived out of order: the next use rescans. */
  stale: boolean;
}

/** Compact a list once this many forgotten bursts lead it and they are at least half of it. */
const COMPACT_AFTER = 1024;

export class MinuteWindow {
  #apps = new Map<string, AppBursts>();

  /** `windowMs` is the minute's length: 60,000 but for tests that shorten it (the `minuteWindowMs` setting). */
  use(appKey: string, nowMs: number, mode: MinuteWindowMode, windowMs: number = MINUTE_MS): WindowUse {
    const windowStartMs = mode === "calendar" ? nowMs - (nowMs % windowMs) : nowMs - windowMs + 1;
    const app = this.#apps.get(appKey);
    if (!app) return { used: 0, windowStartMs };
    const { bursts } = app;

    if (app.stale || windowStartMs < app.windowStartMs) rescan(app, windowStartMs);
    else {
      // The window only moved forward: drop the bursts that left it.
      while (app.inside < bursts.length && bursts[app.inside]!.atMs < windowStartMs) app.total -= bursts[app.inside++]!.count;
      app.windowStartMs = windowStartMs;
    }

    // Nothing before the window can matter again unless the clock is set back;
    // keep one window of history so a rewind by less than a minute stays exact.
    const pruneBefore = windowStartMs - windowMs;
    while (app.pruned < app.inside && bursts[app.pruned]!.atMs < pruneBefore) app.pruned++;
    if (app.pruned > COMPACT_AFTER && app.pruned * 2 > bursts.length) compact(app);

    // Bursts later than now exist only after a rewind; the last one tells in O(1).
    const last = bursts[bursts.length - 1];
    if (last === undefined || app.inside === bursts.length || last.atMs <= nowMs) return { used: app.total, windowStartMs };
    let used = 0;
    for (let i = app.inside; i < bursts.length && bursts[i]!.atMs <= nowMs; i++) used += bursts[i]!.count;
    return { used, windowStartMs };
  }

  record(appKey: string, nowMs: number, count: number): void {
    if (count <= 0) return;
    const app = this.#apps.get(appKey);
    if (!app) {
      this.#apps.set(appKey, { bursts: [{ atMs: nowMs, count }], pruned: 0, inside: 0, total: count, windowStartMs: -Infinity, stale: false });
      return;
    }
    const { bursts } = app;
    const last = bursts.length > app.pruned ? bursts[bursts.length - 1]! : undefined;
    if (last && last.atMs === nowMs) {
      last.count += count;
      // `last` is in `total` unless the window already passed it (after a rewind).
      if (bursts.length - 1 >= app.inside) app.total += count;
    } else if (!last || last.atMs < nowMs) {
      bursts.push({ atMs: nowMs, count });
      // Before the window start only after a rewind: the next use rescans.
      if (nowMs >= app.windowStartMs) app.total += count;
      else app.stale = true;
    } else {
      // The clock was set back: keep the list ordered; the next use rescans.
      compact(app);
      const at = bursts.findIndex((burst) => burst.atMs > nowMs);
      bursts.splice(at, 0, { atMs: nowMs, count });
      app.stale = true;
    }
  }

  /** Accounted bytes: about 60 per burst kept (the object and its list slot), forgotten ones awaiting compaction included. */
  get bytes(): number {
    let bursts = 0;
    for (const app of this.#apps.values()) bursts += app.bursts.length;
    return bursts * 60;
  }

  snapshot(): [string, Burst[]][] {
    return [...this.#apps].map(([appKey, app]) => [appKey, app.bursts.slice(app.pruned)]);
  }

  restore(data: [string, Burst[]][]): void {
    this.#apps = new Map(
      data.map(([appKey, bursts]) => [appKey, { bursts, pruned: 0, inside: 0, total: 0, windowStartMs: -Infinity, stale: true }]),
    );
  }
}

/** Recomputes `inside` and `total` from scratch: after a rewind, an out-of-order burst or a restore. */
function rescan(app: AppBursts, windowStartMs: number): void {
  const { bursts } = app;
  let inside = app.pruned;
  while (inside < bursts.length && bursts[inside]!.atMs < windowStartMs) inside++;
  let total = 0;
  for (let i = inside; i < bursts.length; i++) total += bursts[i]!.count;
  app.inside = inside;
  app.total = total;
  app.windowStartMs = windowStartMs;
  app.stale = false;
}

function compact(app: AppBursts): void {
  if (app.pruned === 0) return;
  app.bursts.splice(0, app.pruned);
  app.inside -= app.pruned;
  app.pruned = 0;
}
