/**
 * Issue 15, goal 4: the worker's bundle stays at most 80 KiB gzipped. It was
 * 176 KiB, four fifths of it classic zod (every method on every schema, and
 * all its locales); the shared schemas are zod/mini now (protocol/zod.ts).
 * Built by wrangler as `wrangler deploy` would (bench/worker-bundle.ts); a size
 * is the same on every machine, so this is a plain assertion, not a timing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_GZIP_BUDGET_BYTES, buildWorkerBundle, kib, type WorkerBundle } from "../bench/worker-bundle.ts";

/** What to read first when the budget is broken: the largest parts. */
function largestParts(bundle: WorkerBundle): string {
  return bundle.byOrigin
    .slice(0, 8)
    .map(({ origin, bytes }) => `${origin} ${kib(bytes)}`)
    .join(", ");
}

describe("the worker's bundle", () => {
  let bundle: WorkerBundle;

  beforeAll(async () => {
    bundle = await buildWorkerBundle();
  }, 90_000);

  it("is at most 80 KiB gzipped", () => {
    expect(
      bundle.gzipBytes,
      `gzip ${kib(bundle.gzipBytes)} (raw ${kib(bundle.rawBytes)}), largest raw parts: ${largestParts(bundle)}; run npm run bench:bundle -- --all`,
    ).toBeLessThanOrEqual(BUNDLE_GZIP_BUDGET_BYTES);
  });

  it("holds zod/mini and its English messages, never classic zod or another locale", () => {
    const zod = bundle.inputs.map(({ path }) => path).filter((path) => path.startsWith("node_modules/zod/"));
    // One `import { z } from "zod"` in the worker's graph brings classic back, with every locale.
    expect(zod.filter((path) => path.includes("/classic/"))).toEqual([]);
    expect(zod.filter((path) => /\/locales\/(?!index\.)/.test(path))).toEqual(["node_modules/zod/v4/locales/en.js"]);
    expect(zod.some((path) => path.startsWith("node_modules/zod/v4/mini/"))).toBe(true);
  });
});
