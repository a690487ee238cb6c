/**
 * What the quota rules need from storage. The Durable Object implements it
 * over SQLite inside one synchronous transaction; tests use the in-memory one.
 * Every method is synchronous on purpose: admission must not yield mid-way.
 */

export interface WindowEntry {
  /** When the vendor counted the send, at the latest (its answer's arrival plus the skew guard). */
  atMs: number;
  recipients: number;
  /**
   * The send has not been answered yet: the vendor may count it at any moment
   * from now on, so it holds its place until it is settled.
   */
  inFlight?: boolean;
}

/** One employee's day in the ledger, as an admission reads it. */
export interface EmployeeDay {
  messages: number;
  /** The content being admitted already went to this employee that day. */
  seen: boolean;
}

export interface Reservation {
  reservationId: string;
  /** Provisional window time (admission plus the guard); `settle` moves it to the answer's arrival. */
  atMs: number;
  day: string;
  fingerprint: string;
  /** Recipients counted in the minute window. */
  recipients: number;
  /** Employees whose day ledger (count and content) this reservation adds to; retries of lost answers already hold theirs. */
  ledgerUserids: readonly string[];
}

export interface QuotaStore {
  /** Sends counted at or after `sinceMs`, and every send still in flight. */
  windowEntries(sinceMs: number): WindowEntry[];
  /**
   * The recipients of those same entries, summed by the store: what an
   * admission reads on every send, so it must not cost one object per entry
   * (a busy window holds thousands).
   */
  recipientsInWindow(sinceMs: number): number;
  /**
   * The day's ledger of these employees, in one read: the messages each was
   * admitted on `day` and whether this content was one of them. Employees
   * admitted nothing that day are absent.
   */
  employeeDays(day: string, fingerprint: string, userids: readonly string[]): Map<string, EmployeeDay>;
  /** Counts the recipients in the window (in flight) and the ledger, under one id. */
  reserve(reservation: Reservation): void;
  /**
   * The send's answer arrived (or may never arrive): it occupies the window
   * from `atMs` (never earlier than already recorded) and is no longer in flight.
   */
  settle(reservationId: string, atMs: number): void;
  /**
   * Takes back what was reserved under the id: for a send the vendor refused
   * or never received. `keepWindow` leaves the minute window counted.
   */
  release(reservationId: string, options?: { keepWindow?: boolean }): void;
  /** Takes back the ledger entries of some employees of a reservation: the vendor reported them not delivered. */
  releaseEmployees(reservationId: string, userids: readonly string[]): void;
}

export interface QuotaLimits {
  recipientsPerMinute: number;
  dailyMessagesPerEmployee: number;
  /** The vendor's per-send maximum: admitted recipients are reserved in chunks of this size. */
  recipientsPerSend: number;
  /** The vendor's minute, in ms (60,000 but in tests). */
  windowMs: number;
  /** Skew and reporting delay between us and the vendor, added to every send's window time. */
  clockSkewGuardMs: number;
}
