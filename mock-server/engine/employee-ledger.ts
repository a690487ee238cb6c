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
  | { kind: "dailyCap"; day: string; count: number };

export class EmployeeLedger {
  #entries = new Map<string, DayEntry>();

  check(key: string, day: string, fingerprint: string, options: { dailyCap: number; dedupe: boolean }): LedgerVerdict {
    const entry = this.#current(key, day);
    if (!entry) return { kind: "ok" };
    if (options.dedupe && entry.fingerprints.has(fingerprint)) return { kind: "duplicateContent", day };
    if (entry.count >= options.dailyCap) return { kind: "dailyCap", day, count: entry.count };
    return { kind: "ok" };
  }

  record(key: string, day: string, fingerprint: string): void {
    let entry = this.#current(key, day);
    if (!entry) {
      entry = { day, count: 0, fingerprints: new Set() };
      this.#entries.set(key, entry);
    }
    entry.count += 1;
    entry.fingerprints.add(fingerprint);
  }

  /** Messages delivered today, for quota views. */
  count(key: string, day: string): number {
    return this.#current(key, day)?.count ?? 0;
  }

  #current(key: string, day: string): DayEntry | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.day !== day) return undefined;
    return entry;
  }

  snapshot(): [string, { day: string; count: number; fingerprints: string[] }][] {
    return [...this.#entries].map(([key, entry]) => [key, { ...entry, fingerprints: [...entry.fingerprints] }]);
  }

  restore(data: [string, { day: string; count: number; fingerprints: string[] }][]): void {
    this.#entries = new Map(data.map(([key, entry]) => [key, { ...entry, fingerprints: new Set(entry.fingerprints) }]));
  }
}

export function ledgerKey(corpId: string, agentId: number, userid: string): string {
  return `${corpId}/${agentId}/${userid}`;
}
