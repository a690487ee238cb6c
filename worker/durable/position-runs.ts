/**
 * Where a group's members stand in their request, as comma-separated runs:
 * `0+1000` is positions 0 to 999, `1003` is one position. A chunk is one run,
 * so the order of a request costs a few bytes per group, not per recipient.
 */
export function encodePositions(positions: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < positions.length; ) {
    const start = positions[i]!;
    let length = 1;
    while (i + length < positions.length && positions[i + length] === start + length) length++;
    runs.push(length === 1 ? String(start) : `${start}+${length}`);
    i += length;
  }
  return runs.join(",");
}

export function decodePositions(text: string): number[] {
  const positions: number[] = [];
  if (text === "") return positions;
  for (const run of text.split(",")) {
    const plus = run.indexOf("+");
    if (plus === -1) {
      positions.push(Number(run));
      continue;
    }
    const start = Number(run.slice(0, plus));
    const length = Number(run.slice(plus + 1));
    for (let offset = 0; offset < length; offset++) positions.push(start + offset);
  }
  return positions;
}
