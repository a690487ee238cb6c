import type { EmployeeDay, QuotaStore, Reservation, WindowEntry } from "./quota-store.ts";

/** The quota store in plain memory: for tests of the rules, and single-process use of the client. */
export class MemoryQuotaStore implements QuotaStore {
  readonly #window = new Map<string, WindowEntry>();
  readonly #dayCounts = new Map<string, number>();
  readonly #content = new Map<string, string>();
  readonly #reservations = new Map<string, Reservation & { released: Set<string> }>();

  windowEntries(sinceMs: number): WindowEntry[] {
    return [...this.#window.values()].filter((entry) => entry.inFlight || entry.atMs >= sinceMs).sort((a, b) => a.atMs - b.atMs);
  }

  recipientsInWindow(sinceMs: number): number {
    let total = 0;
    for (const entry of this.#window.values()) if (entry.inFlight || entry.atMs >= sinceMs) total += entry.recipients;
    return total;
  }

  employeeDays(day: string, fingerprint: string, userids: readonly string[]): Map<string, EmployeeDay> {
    const days = new Map<string, EmployeeDay>();
    for (const userid of userids) {
      const messages = this.#dayCounts.get(`${day}/${userid}`) ?? 0;
      const seen = this.#content.has(`${day}/${userid}/${fingerprint}`);
      if (messages > 0 || seen) days.set(userid, { messages, seen });
    }
    return days;
  }

  reserve(reservation: Reservation): void {
    this.#reservations.set(reservation.reservationId, { ...reservation, released: new Set() });
    this.#window.set(reservation.reservationId, { atMs: reservation.atMs, recipients: reservation.recipients, inFlight: true });
    for (const userid of reservation.ledgerUserids) {
      const key = `${reservation.day}/${userid}`;
      this.#dayCounts.set(key, (this.#dayCounts.get(key) ?? 0) + 1);
      this.#content.set(`${key}/${reservation.fingerprint}`, reservation.reservationId);
    }
  }

  settle(reservationId: string, atMs: number): void {
    const entry = this.#window.get(reservationId);
    if (entry) this.#window.set(reservationId, { atMs: Math.max(entry.atMs, atMs), recipients: entry.recipients });
  }

  release(reservationId: string, options: { keepWindow?: boolean } = {}): void {
    const reservation = this.#reservations.get(reservationId);
    if (!reservation) return;
    if (!options.keepWindow) this.#window.delete(reservationId);
    this.releaseEmployees(reservationId, reservation.ledgerUserids);
    this.#reservations.delete(reservationId);
  }

  releaseEmployees(reservationId: string, userids: readonly string[]): void {
    const reservation = this.#reservations.get(reservationId);
    if (!reservation) return;
    const mine = new Set(reservation.ledgerUserids);
    for (const userid of userids) {
      if (!mine.has(userid) || reservation.released.has(userid)) continue;
      reservation.released.add(userid);
      const key = `${reservation.day}/${userid}`;
      this.#dayCounts.set(key, (this.#dayCounts.get(key) ?? 1) - 1);
      this.#content.delete(`${key}/${reservation.fingerprint}`);
    }
  }
}
