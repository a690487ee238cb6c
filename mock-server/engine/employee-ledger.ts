/**
 * Per employee, per app, per China-time day: how many messages were delivered
 * and which contents (fingerprints) they carried. Backs the daily cap and the
 * same-content-once-a-day rule.
 */
interface DayEntry {
  day: string;
  count: number;
  fingerprints: Set<string>;
}

export type LedgerVerdict =
  | { kind: "ok" }
  | { kind: "duplicateContent"; day: string }
  | { kind: "dailyCap"; day: string; count: number }
  /** The daily rules let the recipient through, but the minute window was full: nothing recorded. */
  | { kind: "windowFull" };

export interface LedgerRules {
  dailyCap: number;
  dedupe: boolean;
}

// Shared: a 1,000-recipient send should not allocate a verdict per recipient.
const OK: LedgerVerdict = Object.freeze({ kind: "ok" });
const WINDOW_FULL: LedgerVerdict = Object.freeze({ kind: "windowFull" });

export type LedgerSnapshot = [appKey: string, employees: [userid: string, { day: string; count: number; fingerprints: string[] }][]][];

/** Nested per app (`agentKey`), then per userid: a send finds its app once and each recipient with one lookup, no key built. */
export class EmployeeLedger {
  #apps = new Map<string, AppLedger>();

  /** One app's employees; made on first use. */
  of(appKey: string): AppLedger {
    let app = this.#apps.get(appKey);
    if (!app) {
      app = new AppLedger();
      this.#apps.set(appKey, app);
    }
    return app;
  }

  /** Messages delivered today, for quota views. */
  count(appKey: string, userid: string, day: string): number {
    return this.#apps.get(appKey)?.count(userid, day) ?? 0;
  }

  snapshot(): LedgerSnapshot {
    return [...this.#apps].map(([appKey, app]) => [appKey, app.snapshot()]);
  }

  restore(data: LedgerSnapshot): void {
    this.#apps = new Map(data.map(([appKey, employees]) => [appKey, AppLedger.restore(employees)]));
  }
}

export class AppLedger {
  #employees = new Map<string, DayEntry>();

  /**
   * Applies the daily rules to one recipient and, when they let it through and
   * the minute window is not full, records the delivery: checking and
   * recording share one lookup. The rules apply in the vendor's order:
   * duplicate content, then the daily cap, then the minute window.
   */
  admit(userid: string, day: string, fingerprint: string, rules: LedgerRules, windowFull: boolean): LedgerVerdict {
    let entry = this.#employees.get(userid);
    if (entry && entry.day === day) {
      if (rules.dedupe && entry.fingerprints.has(fingerprint)) return { kind: "duplicateContent", day };
      if (entry.count >= rules.dailyCap) return { kind: "dailyCap", day, count: entry.count };
      if (windowFull) return WINDOW_FULL;
    } else {
      if (windowFull) return WINDOW_FULL;
      // A new day starts from nothing; yesterday's entry is reused rather than replaced.
      if (entry) {
        entry.day = day;
        entry.count = 0;
        entry.fingerprints.clear();
      } else {
        entry = { day, count: 0, fingerprints: new Set() };
        this.#employees.set(userid, entry);
      }
    }
    entry.count += 1;
    entry.fingerprints.add(fingerprint);
    return OK;
  }

  count(userid: string, day: string): number {
    const entry = this.#employees.get(userid);
    return entry && entry.day === day ? entry.count : 0;
  }

  snapshot(): LedgerSnapshot[number][1] {
    return [...this.#employees].map(([userid, entry]) => [userid, { day: entry.day, count: entry.count, fingerprints: [...entry.fingerprints] }]);
  }

  static restore(employees: LedgerSnapshot[number][1]): AppLedger {
    const app = new AppLedger();
    for (const [userid, entry] of employees) app.#employees.set(userid, { day: entry.day, count: entry.count, fingerprints: new Set(entry.fingerprints) });
    return app;
  }
}
