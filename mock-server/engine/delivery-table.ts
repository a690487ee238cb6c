import type { InboxDelivery } from "./inbox.ts";

/**
 * What the inbox copies of one send share: the delivery, and how the copies'
 * message ids are made. A copy is (handle, offset): its sequence number is
 * `firstSequence + offset`, its id "<taskId>-<sequence>"; a copy restored
 * with an id of another form gets a record of its own with `messageId` set.
 */
export interface DeliveryRecord {
  readonly delivery: InboxDelivery;
  readonly firstSequence: number;
  readonly messageId: string | undefined;
  /** Accounted bytes, given back when the record is dropped. */
  readonly bytes: number;
}

/** One shared delivery: the record, its table entries and its rendered text (counted once per record, by characters). */
export const DELIVERY_BYTES = 200;
/** A record that only carries one restored copy's odd message id: the record and the id. */
const ODD_ID_RECORD_BYTES = 120;

/**
 * The records every inbox copy points at by a small integer handle: inboxes
 * keep two integers a copy in typed arrays (nothing for the garbage
 * collector to trace). Records nobody points at any more are found by
 * `keepOnly`, which the inbox calls with the handles its copies still hold
 * once the table has doubled since the last time; counting copies instead
 * meant reading the oldest copy of a full inbox on every delivery, a cache
 * miss per recipient. Handles are reused, so the table holds at most about
 * twice the records alive.
 */
export class DeliveryTable {
  #records: (DeliveryRecord | undefined)[] = [];
  #free: number[] = [];
  #bytes = 0;

  add(delivery: InboxDelivery, firstSequence: number, messageId?: string): number {
    const bytes = messageId === undefined ? DELIVERY_BYTES + delivery.text.length : ODD_ID_RECORD_BYTES + messageId.length;
    const handle = this.#free.pop() ?? this.#records.length;
    this.#records[handle] = { delivery, firstSequence, messageId, bytes };
    this.#bytes += bytes;
    return handle;
  }

  /** The record behind a handle some copy holds. */
  get(handle: number): DeliveryRecord {
    return this.#records[handle]!;
  }

  /** False once the record was dropped (its handle may since name another). */
  isLive(handle: number): boolean {
    return this.#records[handle] !== undefined;
  }

  /** One past the highest handle given out: the length a `keepOnly` list needs. */
  get handles(): number {
    return this.#records.length;
  }

  /** Drops every record whose handle is not marked (non-zero) in `held`. */
  keepOnly(held: Uint8Array): void {
    for (let handle = 0; handle < this.#records.length; handle++) {
      const record = this.#records[handle];
      if (record === undefined || held[handle] !== 0) continue;
      this.#bytes -= record.bytes;
      this.#records[handle] = undefined;
      this.#free.push(handle);
    }
  }

  /** Records kept, the ones no copy holds any more but not yet dropped included. */
  get size(): number {
    return this.#records.length - this.#free.length;
  }

  /** Accounted bytes of the records kept. */
  get bytes(): number {
    return this.#bytes;
  }
}
