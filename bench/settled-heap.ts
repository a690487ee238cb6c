/**
 * What the process holds once garbage is gone: the V8 heap in use plus the
 * array buffers (typed arrays keep their contents outside the heap: tasks'
 * slots, inbox rings, the day ledger). Needs `--expose-gc`.
 */
export async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
