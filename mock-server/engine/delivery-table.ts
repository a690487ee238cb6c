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
  /** Accounted bytes, given back when the last copy goes. */
  readonly bytes: number;
}

/** One shared delivery: the record, its table entries and its rendered text (counted once per record, by characters). */
export const DELIVERY_BYTES = 200;
/** A record that only carries one restored copy's odd message id: the record and the id. */
const ODD_ID_RECORD_BYTES = 120;

/**
 * The records every inbox copy points at by a small integer handle, each
 * counted by the copies that hold it and freed with the last one: inboxes
 * keep two integers a copy in typed arrays (nothing for the garbage
 * collector to trace), and a send's delivery is dropped as soon as no inbox
 * shows it any more. Handles are reused, so there are never more than the
 * records alive.
 */
export class DeliveryTable {
  #records: (DeliveryRecord | undefined)[] = [];
  #copies = new Uint32Array(64);
  #free: number[] = [];
  #bytes = 0;

  /** A new record with no copies yet; hold it (`hold`) for each copy made. */
  add(delivery: InboxDelivery, firstSequence: number, messageId?: string): number {
    const bytes = messageId === undefined ? DELIVERY_BYTES + delivery.text.length : ODD_ID_RECORD_BYTES + messageId.length;
    const handle = this.#free.pop() ?? this.#records.length;
    this.#records[handle] = { delivery, firstSequence, messageId, bytes };
    if (handle >= this.#copies.length) {
      const grown = new Uint32Array(this.#copies.length * 2);
      grown.set(this.#copies);
      this.#copies = grown;
    }
    this.#copies[handle] = 0;
    this.#bytes += bytes;
    return handle;
  }

  /** The record behind a handle some copy holds. */
  get(handle: number): DeliveryRecord {
    return this.#records[handle]!;
  }

  /** True while some copy holds the handle (or it was just added). */
  isLive(handle: number): boolean {
    return this.#records[handle] !== undefined;
  }

  hold(handle: number): void {
    this.#copies[handle]! += 1;
  }

  /** One copy let go; the record goes with the last. */
  release(handle: number): void {
    const left = (this.#copies[handle] = this.#copies[handle]! - 1);
    if (left > 0) return;
    this.#bytes -= this.#records[handle]!.bytes;
    this.#records[handle] = undefined;
    this.#free.push(handle);
  }

  /** Records alive. */
  get size(): number {
    return this.#records.length - this.#free.length;
  }

  /** Accounted bytes of the live records. */
  get bytes(): number {
    return this.#bytes;
  }
}
