/** One call the mock answered, as `GET /__admin/journal` shows it. Secrets are masked before they get here. */
export interface JournalEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  /** The vendor endpoint's name, or "unknown" for paths the vendor does not have. */
  endpoint: string;
  params: Record<string, unknown>;
  status: number;
  answer: unknown;
  /** The fault rule that shaped the answer, if any. */
  faultId?: string;
  /** Why a call was refused or a recipient dropped, in plain words with the numbers. */
  notes: string[];
}

/**
 * Accounted bytes of one entry: the record, its params and answer objects and
 * notes list (measured at about 950 bytes for a one-recipient send by
 * bench/worlds-memory.bench.ts), plus 1.6 bytes per character of its string
 * parameters and notes (a 1,000-recipient send's userid_list is 7,000
 * characters; bench/retained-state.ts measured about 12 KB for such an entry).
 */
const ENTRY_BYTES = 900;
const BYTES_PER_CHAR = 1.6;

/** The journal keeps the newest `limit` entries; the dropped ones are counted, not silently lost. */
export class Journal {
  #entries: JournalEntry[] = [];
  /** Accounted bytes of each entry, alongside `#entries`. */
  #sizes: number[] = [];
  #head = 0;
  #seq = 0;
  #dropped = 0;
  #bytes = 0;

  record(entry: Omit<JournalEntry, "seq">, limit: number): JournalEntry {
    const stored = { seq: ++this.#seq, ...entry };
    const size = entryBytes(stored);
    this.#entries.push(stored);
    this.#sizes.push(size);
    this.#bytes += size;
    const live = this.#entries.length - this.#head;
    if (live > limit) {
      const excess = live - limit;
      for (let i = this.#head; i < this.#head + excess; i++) this.#bytes -= this.#sizes[i]!;
      this.#head += excess;
      this.#dropped += excess;
      // Compact now and then instead of shifting on every call.
      if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
        this.#entries = this.#entries.slice(this.#head);
        this.#sizes = this.#sizes.slice(this.#head);
        this.#head = 0;
      }
    }
    return stored;
  }

  /** Accounted bytes of the entries kept (see ENTRY_BYTES). */
  get bytes(): number {
    return this.#bytes;
  }

  list(filter: { endpoint?: string; errcode?: number; sinceSeq?: number } = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (filter.endpoint !== undefined && entry.endpoint !== filter.endpoint && entry.path !== filter.endpoint) continue;
      if (filter.sinceSeq !== undefined && entry.seq <= filter.sinceSeq) continue;
      if (filter.errcode !== undefined && answerErrcode(entry.answer) !== filter.errcode) continue;
      out.push(entry);
    }
    return out;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** The seq of the newest entry ever recorded, kept or dropped. */
  get lastSeq(): number {
    return this.#seq;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  snapshot(): { seq: number; dropped: number; entries: JournalEntry[] } {
    return { seq: this.#seq, dropped: this.#dropped, entries: this.#entries.slice(this.#head) };
  }

  restore(data: { seq: number; dropped: number; entries: JournalEntry[] }): void {
    this.#seq = data.seq;
    this.#dropped = data.dropped;
    this.#entries = data.entries;
    this.#sizes = data.entries.map(entryBytes);
    this.#bytes = this.#sizes.reduce((sum, size) => sum + size, 0);
    this.#head = 0;
  }
}

function entryBytes(entry: JournalEntry): number {
  let bytes = ENTRY_BYTES;
  for (const key in entry.params) {
    const value = entry.params[key];
    if (typeof value === "string") bytes += value.length * BYTES_PER_CHAR;
  }
  for (const note of entry.notes) bytes += note.length * BYTES_PER_CHAR;
  return Math.round(bytes);
}

// Under load many calls share a millisecond, so the last one formatted is kept.
let lastStampMs = Number.NaN;
let lastStamp = "";

/** `new Date(epochMs).toISOString()`, for the journal's `at`. */
export function journalTime(epochMs: number): string {
  if (epochMs !== lastStampMs) {
    lastStamp = new Date(epochMs).toISOString();
    lastStampMs = epochMs;
  }
  return lastStamp;
}

/** The effective errcode of a journalled answer: sub_code of an errcode 88 envelope, else errcode. */
function answerErrcode(answer: unknown): number | undefined {
  if (typeof answer !== "object" || answer === null) return undefined;
  const { errcode, sub_code } = answer as { errcode?: unknown; sub_code?: unknown };
  if (errcode === 88 && typeof sub_code === "string" && sub_code !== "" && Number.isInteger(Number(sub_code))) {
    return Number(sub_code);
  }
  return typeof errcode === "number" ? errcode : undefined;
}
