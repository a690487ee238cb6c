/** Durable Object SQLite binds at most 100 parameters per statement. */
export const MAX_BOUND_PARAMETERS = 100;

/** Splits `items` so that each statement binds at most the limit, given `perItem` and `fixed` parameters. */
export function* batches<T>(items: readonly T[], perItem: number, fixed = 0): Generator<T[]> {
  const size = Math.max(1, Math.floor((MAX_BOUND_PARAMETERS - fixed) / perItem));
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** "?, ?, ?" for `count` placeholders. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}
