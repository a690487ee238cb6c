/**
 * What the quota rules need from storage. The Durable Object implements it
 * over SQLite inside one synchronous transaction; tests use the in-memory one.
 * Every method is synchronous on purpose: admission must not yield mid-way.
 */
export interface WindowEntry {
  atMs: number;
  recipients: number;
}

export interface Reservation {
  reservationId: string;
  atMs: number;
  day: string;
  fingerprint: string;
  userids: readonly string[];
}

export interface QuotaStore {
  /** Admitted sends at or after `sinceMs`, oldest first. */
  windowEntries(sinceMs: number): WindowEntry[];
  /** Messages each employee was admitted on `day` (absent means none). */
  dayCounts(day: string, userids: readonly string[]): Map<string, number>;
  /** The employees who were already admitted this content on `day`. */
  contentSeen(day: string, fingerprint: string, userids: readonly string[]): Set<string>;
  /** Counts the recipients in the window and the ledger, under one id. */
  reserve(reservation: Reservation): void;
  /**
   * Takes back what was reserved under the id. `keepWindow` leaves the minute
   * window counted: for a send the vendor may have taken after all, counting
   * it is safe and forgetting it is not.
   */
  release(reservationId: string, options?: { keepWindow?: boolean }): void;
}

export interface QuotaLimits {
  recipientsPerMinute: number;
  dailyMessagesPerEmployee: number;
  /** The vendor's per-send maximum: admitted recipients are reserved in chunks of this size. */
  recipientsPerSend: number;
}
