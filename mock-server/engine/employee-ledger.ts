import { UserSlots } from "../world/user-slots.ts";

/**
 * Per employee, per app, per China-time day: how many messages were delivered
 * and which contents (fingerprints) they carried. Backs the daily cap and the
 * same-content-once-a-day rule.
 */
/**
 * Accounted bytes of one employee's place in an app's ledger (day 4, count 4,
 * first content 8, in typed arrays sized to the highest place used, so
 * counted per place, used or not), of an employee known only by userid (the
 * Map entry and list slot that number it), and of each extra content (a
 * double and spare capacity, as measured).
 */
export const LEDGER_BYTES_PER_PLACE = 16;
export const LEDGER_BYTES_PER_UNLISTED_EMPLOYEE = 80;
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

/** Nested per app (`agentKey`), then per employee: a send finds its app once and each recipient by its directory slot. */
export class EmployeeLedger {
  #apps = new Map<string, AppLedger>();

  /** One app's employees; made on first use, numbered by `directory` (its corp's) once that is given. */
  of(appKey: string, directory?: UserSlots): AppLedger {
    let app = this.#apps.get(appKey);
    if (!app) {
      app = new AppLedger();
      this.#apps.set(appKey, app);
    }
    if (directory) app.useDirectory(directory);
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

/**
 * One app's employees, each at a place numbered by its slot in the corp's
 * directory (UserSlots), in typed arrays: a recipient costs array reads, no
 * Map lookup, and the garbage collector has nothing to trace. An employee
 * the directory does not know (only from a snapshot, or before the app's
 * first send names the directory) gets a place after the directory's.
 */
export class AppLedger {
  #directory = EMPTY_DIRECTORY;
  /** Places after the directory's, by userid, and back. */
  #unlisted = new Map<string, number>();
  #unlistedUserids: string[] = [];
  /** Per place: the day (index + 1 in `#days`; 0 for none), the count that day, the first content (contentFingerprint). */
  #day = new Int32Array(0);
  #count = new Uint32Array(0);
  #fingerprint = new Float64Array(0);
  /** Any more contents of a place's day: most employees get one content a day. */
  #more = new Map<number, number[]>();
  #days: string[] = [];
  #dayIndex = new Map<string, number>();
  #extraContents = 0;

  /** Numbers the employees by `directory` from now on (an app's corp never changes, so places move at most once). */
  useDirectory(directory: UserSlots): void {
    if (directory === this.#directory) return;
    const entries = this.#entries();
    this.#directory = directory;
    this.#unlisted = new Map();
    this.#unlistedUserids = [];
    this.#day = new Int32Array(0);
    this.#count = new Uint32Array(0);
    this.#fingerprint = new Float64Array(0);
    this.#more = new Map();
    this.#extraContents = 0;
    for (const [userid, entry] of entries) this.#set(this.#placeOf(userid, true), entry.day, entry.count, entry.fingerprints);
  }

  /**
   * Applies the daily rules to one recipient and, when they let it through and
   * the minute window is not full, records the delivery: checking and
   * recording share one lookup. The rules apply in the vendor's order:
   * duplicate content, then the daily cap, then the minute window.
   */
  admit(userid: string, day: string, fingerprint: number, rules: LedgerRules, windowFull: boolean): LedgerVerdict {
    return this.admitAt(this.#placeOf(userid, true), this.dayNumber(day), fingerprint, rules, windowFull);
  }

  /** The number `admitAt` takes for `day`: looked up once per send. */
  dayNumber(day: string): number {
    let number = this.#dayIndex.get(day);
    if (number === undefined) {
      if (this.#days.length >= MAX_DAYS) this.#forgetUnusedDays();
      number = this.#days.push(day);
      this.#dayIndex.set(day, number);
    }
    return number;
  }

  /** `admit` for the employee at directory slot `slot`, with `day` from `dayNumber`. */
  admitAt(slot: number, day: number, fingerprint: number, rules: LedgerRules, windowFull: boolean): LedgerVerdict {
    if (slot >= this.#day.length) this.#grow(slot);
    if (this.#day[slot] === day) {
      const seen = this.#fingerprint[slot] === fingerprint || this.#hasMore(slot, fingerprint);
      if (rules.dedupe && seen) return { kind: "duplicateContent", day: this.#days[day - 1]! };
      const count = this.#count[slot]!;
      if (count >= rules.dailyCap) return { kind: "dailyCap", day: this.#days[day - 1]!, count };
      if (windowFull) return WINDOW_FULL;
      this.#count[slot] = count + 1;
      if (!seen) {
        let more = this.#more.get(slot);
        if (!more) this.#more.set(slot, (more = []));
        more.push(fingerprint);
        this.#extraContents += 1;
      }
      return OK;
    }
    if (windowFull) return WINDOW_FULL;
    // A new day starts from nothing.
    this.#day[slot] = day;
    this.#count[slot] = 1;
    this.#fingerprint[slot] = fingerprint;
    const more = this.#more.get(slot);
    if (more) {
      this.#extraContents -= more.length;
      this.#more.delete(slot);
    }
    return OK;
  }

  get bytes(): number {
    return (
      this.#day.length * LEDGER_BYTES_PER_PLACE +
      this.#unlisted.size * LEDGER_BYTES_PER_UNLISTED_EMPLOYEE +
      this.#extraContents * LEDGER_BYTES_PER_EXTRA_CONTENT
    );
  }

  count(userid: string, day: string): number {
    const place = this.#placeOf(userid, false);
    if (place < 0 || place >= this.#day.length) return 0;
    const number = this.#day[place]!;
    return number !== 0 && this.#days[number - 1] === day ? this.#count[place]! : 0;
  }

  snapshot(): LedgerSnapshot[number][1] {
    return this.#entries().map(([userid, entry]) => [
      userid,
      { day: entry.day, count: entry.count, fingerprints: entry.fingerprints.map((fingerprint) => fingerprint.toString(36)) },
    ]);
  }

  static restore(employees: LedgerSnapshot[number][1]): AppLedger {
    const app = new AppLedger();
    for (const [userid, stored] of employees) {
      // An entry without contents (never written, but harmless) holds NaN, which equals nothing.
      const fingerprints = [...new Set(stored.fingerprints.map(fingerprintOf))];
      app.#set(app.#placeOf(userid, true), stored.day, stored.count, fingerprints.length > 0 ? fingerprints : [Number.NaN]);
    }
    return app;
  }

  /** Every employee with an entry, in place order. */
  #entries(): [string, { day: string; count: number; fingerprints: number[] }][] {
    const out: [string, { day: string; count: number; fingerprints: number[] }][] = [];
    const listed = this.#directory.size;
    for (let place = 0; place < this.#day.length; place++) {
      const day = this.#day[place]!;
      if (day === 0) continue;
      const userid = place < listed ? this.#directory.useridAt(place) : this.#unlistedUserids[place - listed]!;
      out.push([userid, { day: this.#days[day - 1]!, count: this.#count[place]!, fingerprints: [this.#fingerprint[place]!, ...(this.#more.get(place) ?? [])] }]);
    }
    return out;
  }

  #set(place: number, day: string, count: number, fingerprints: number[]): void {
    if (place >= this.#day.length) this.#grow(place);
    this.#day[place] = this.dayNumber(day);
    this.#count[place] = count;
    this.#fingerprint[place] = fingerprints[0]!;
    if (fingerprints.length > 1) {
      this.#more.set(place, fingerprints.slice(1));
      this.#extraContents += fingerprints.length - 1;
    }
  }

  /** The place of `userid`; -1 for an employee without one yet, unless `make`. */
  #placeOf(userid: string, make: boolean): number {
    const slot = this.#directory.slotOf(userid);
    if (slot >= 0) return slot;
    let index = this.#unlisted.get(userid);
    if (index === undefined) {
      if (!make) return -1;
      index = this.#unlistedUserids.push(userid) - 1;
      this.#unlisted.set(userid, index);
    }
    return this.#directory.size + index;
  }

  #hasMore(place: number, fingerprint: number): boolean {
    const more = this.#more.get(place);
    if (more === undefined) return false;
    for (let i = 0; i < more.length; i++) if (more[i] === fingerprint) return true;
    return false;
  }

  /** Room up to `place`, doubling, but no further than the directory's size while the place is the directory's. */
  #grow(place: number): void {
    let size = Math.max(64, this.#day.length * 2);
    while (size <= place) size *= 2;
    if (place < this.#directory.size) size = Math.min(size, this.#directory.size);
    const day = new Int32Array(size);
    day.set(this.#day);
    const count = new Uint32Array(size);
    count.set(this.#count);
    const fingerprint = new Float64Array(size);
    fingerprint.set(this.#fingerprint);
    this.#day = day;
    this.#count = count;
    this.#fingerprint = fingerprint;
  }

  /** Keeps the day list bounded (a clock run through many days): only days some entry still holds stay, renumbered. */
  #forgetUnusedDays(): void {
    const renumbered = new Map<number, number>();
    const days: string[] = [];
    for (let place = 0; place < this.#day.length; place++) {
      const old = this.#day[place]!;
      if (old === 0) continue;
      let number = renumbered.get(old);
      if (number === undefined) {
        number = days.push(this.#days[old - 1]!);
        renumbered.set(old, number);
      }
      this.#day[place] = number;
    }
    this.#days = days;
    this.#dayIndex = new Map(days.map((day, i) => [day, i + 1]));
  }
}

/** Days an app's ledger names before it drops the ones no entry holds. */
const MAX_DAYS = 64;
const EMPTY_DIRECTORY = new UserSlots([]);

/** A stored fingerprint back to its number: "<base 36>", or "<templateId>:<base 36>" as older snapshots wrote it. */
function fingerprintOf(text: string): number {
  return Number.parseInt(text.slice(text.lastIndexOf(":") + 1), 36);
}
