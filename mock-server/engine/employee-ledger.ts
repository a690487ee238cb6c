/**
 * Per employee, per app, per China-time day: how many messages were delivered
 * and which contents (fingerprints) they carried. Backs the daily cap and the
 * same-content-once-a-day rule.
 */
interface DayEntry {
  day: string;
  count: number;
  /**
   * The day's contents (contentFingerprint numbers): the first one here, any
   * more in `more` (a list of doubles, 8 bytes each). Most employees get one
   * content a day; a Set of strings cost about 60 bytes per delivery.
   */
  fingerprint: number;
  more: number[] | undefined;
}

/** Accounted bytes of one employee's entry (the record and its Map entry), and of each extra content (a double and spare capacity, as measured). */
export const LEDGER_BYTES_PER_EMPLOYEE = 120;
export const LEDGER_BYTES_PER_EXTRA_CONTENT = 13;

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

/** Fingerprints as strings: base-36 numbers, or "<templateId>:<base 36>" as snapshots before the numbers were (read back alike). */
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

  /** Accounted bytes of every app's entries (see the constants). */
  get bytes(): number {
    let bytes = 0;
    for (const app of this.#apps.values()) bytes += app.bytes;
    return bytes;
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
  #extraContents = 0;

  /**
   * Applies the daily rules to one recipient and, when they let it through and
   * the minute window is not full, records the delivery: checking and
   * recording share one lookup. The rules apply in the vendor's order:
   * duplicate content, then the daily cap, then the minute window.
   */
  admit(userid: string, day: string, fingerprint: number, rules: LedgerRules, windowFull: boolean): LedgerVerdict {
    const entry = this.#employees.get(userid);
    if (entry && entry.day === day) {
      const seen = hasContent(entry, fingerprint);
      if (rules.dedupe && seen) return { kind: "duplicateContent", day };
      if (entry.count >= rules.dailyCap) return { kind: "dailyCap", day, count: entry.count };
      if (windowFull) return WINDOW_FULL;
      entry.count += 1;
      if (!seen) {
        (entry.more ??= []).push(fingerprint);
        this.#extraContents += 1;
      }
      return OK;
    }
    if (windowFull) return WINDOW_FULL;
    // A new day starts from nothing; yesterday's entry is reused rather than replaced.
    if (entry) {
      entry.day = day;
      entry.count = 1;
      entry.fingerprint = fingerprint;
      if (entry.more) this.#extraContents -= entry.more.length;
      entry.more = undefined;
    } else {
      this.#employees.set(userid, { day, count: 1, fingerprint, more: undefined });
    }
    return OK;
  }

  get bytes(): number {
    return this.#employees.size * LEDGER_BYTES_PER_EMPLOYEE + this.#extraContents * LEDGER_BYTES_PER_EXTRA_CONTENT;
  }

  count(userid: string, day: string): number {
    const entry = this.#employees.get(userid);
    return entry && entry.day === day ? entry.count : 0;
  }

  snapshot(): LedgerSnapshot[number][1] {
    return [...this.#employees].map(([userid, entry]) => [
      userid,
      { day: entry.day, count: entry.count, fingerprints: [entry.fingerprint, ...(entry.more ?? [])].map((fingerprint) => fingerprint.toString(36)) },
    ]);
  }

  static restore(employees: LedgerSnapshot[number][1]): AppLedger {
    const app = new AppLedger();
    for (const [userid, stored] of employees) {
      const [first, ...more] = [...new Set(stored.fingerprints.map(fingerprintOf))];
      // An entry without contents (never written, but harmless) holds NaN, which equals nothing.
      app.#employees.set(userid, { day: stored.day, count: stored.count, fingerprint: first ?? Number.NaN, more: more.length > 0 ? more : undefined });
      app.#extraContents += more.length;
    }
    return app;
  }
}

function hasContent(entry: DayEntry, fingerprint: number): boolean {
  if (entry.fingerprint === fingerprint) return true;
  const more = entry.more;
  if (more === undefined) return false;
  for (let i = 0; i < more.length; i++) if (more[i] === fingerprint) return true;
  return false;
}

/** A stored fingerprint back to its number: "<base 36>", or "<templateId>:<base 36>" as older snapshots wrote it. */
function fingerprintOf(text: string): number {
  return Number.parseInt(text.slice(text.lastIndexOf(":") + 1), 36);
}
