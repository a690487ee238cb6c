/**
 * Lets the sends an object has in flight write in one storage commit.
 *
 * A Durable Object commits the writes of each turn of its event loop on its
 * own, and in `wrangler dev` (SQLite on the local disk) each commit writes
 * every page it touched to the log and waits for an fsync, on the thread that
 * runs the object. Sends that each write in their own turn pay that once or
 * twice apiece: the disk, not the work, sets how many a second one object takes.
 *
 * Here a send that is about to write waits for the group's next turn instead:
 * every send that asked before it comes resolves in the same microtask
 * checkpoint, so their writes, made synchronously after the `await`, fall into
 * one implicit transaction and one commit. Each keeps its own
 * `transactionSync` (a savepoint inside it), so one that fails rolls back
 * alone. What a lone send pays is one timer tick.
 *
 * Durability is unchanged: the output gate still holds each send's vendor
 * call and its answer until the commit that holds its writes is on disk.
 */
export class CommitGroup {
  readonly #schedule: (run: () => void) => void;
  #next: Promise<void> | undefined;

  /** `schedule`: how the next turn is reached; a zero timer lets the events already waiting run first. */
  constructor(schedule: (run: () => void) => void = (run) => void setTimeout(run, 0)) {
    this.#schedule = schedule;
  }

  /**
   * Resolves at the group's next turn. Callers must make their writes
   * synchronously after awaiting it, or they fall into a later commit.
   */
  turn(): Promise<void> {
    return (this.#next ??= new Promise<void>((resolve) =>
      this.#schedule(() => {
        // Cleared first: a caller that asks again from its continuation joins the turn after this one.
        this.#next = undefined;
        resolve();
      }),
    ));
  }
}
