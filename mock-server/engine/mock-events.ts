/** What the live inbox hears about: a vendor call was answered (a send among them), or the world went away. */
export type MockEvent = CallEvent | { type: "world-dropped" } | { type: "world-replaced" };

export interface CallEvent {
  type: "call";
  seq: number;
  endpoint: string;
  errcode: number | null;
  /** For an accepted send: its task and how many employees got it. */
  taskId?: number;
}

/** A tiny synchronous event bus; listeners must not throw, and a failing one is dropped. */
export class MockEvents {
  readonly #listeners = new Set<(event: MockEvent) => void>();

  subscribe(listener: (event: MockEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: MockEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  /** The world was dropped (or replaced by a new one of its name): tell every listener once, then forget them. */
  end(why: "dropped" | "replaced" = "dropped"): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) {
      try {
        listener({ type: why === "dropped" ? "world-dropped" : "world-replaced" });
      } catch {
        // A listener that fails on the way out changes nothing.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
