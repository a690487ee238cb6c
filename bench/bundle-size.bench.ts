/**
 * `npm run bench:bundle`: the worker's bundle, raw and gzipped, next to the
 * goal of issue 15 (at most 80 KiB gzipped), and what it is made of. A size,
 * not a timing: the same sources give the same bytes, so a missed goal exits 1
 * (worker/bundle-size.test.ts fails `npm test` on it too).
 *
 *   npm run bench:bundle             # the table, and JSON in bench/results/
 *   npm run bench:bundle -- --all    # every input file, not only the 12 largest parts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../scripts/wrangler-dev-launcher.ts";
import { BUNDLE_GZIP_BUDGET_BYTES, buildWorkerBundle, kib } from "./worker-bundle.ts";

const all = process.argv.includes("--all");
const bundle = await buildWorkerBundle();
const met = bundle.gzipBytes <= BUNDLE_GZIP_BUDGET_BYTES;
const margin = BUNDLE_GZIP_BUDGET_BYTES - bundle.gzipBytes;

console.log(`worker bundle: wrangler ${bundle.wranglerVersion} deploy --dry-run with wrangler.toml, gzip by node:zlib`);
console.log(`  raw   ${kib(bundle.rawBytes).padStart(10)}   (${bundle.rawBytes} bytes)`);
console.log(`  gzip  ${kib(bundle.gzipBytes).padStart(10)}   (${bundle.gzipBytes} bytes)`);
console.log(
  `goal: at most ${kib(BUNDLE_GZIP_BUDGET_BYTES)} gzipped: ${met ? `met, ${kib(margin)} to spare` : `MISSED by ${kib(-margin)}`}`,
);
console.log(`\nwhere the raw bytes come from${all ? "" : " (largest 12)"}:`);
const rows = all ? bundle.inputs.map(({ path, bytes }) => ({ origin: path, bytes })) : bundle.byOrigin.slice(0, 12);
const width = Math.max(...rows.map((row) => row.origin.length));
for (const { origin, bytes } of rows) {
  console.log(`  ${origin.padEnd(width)}  ${kib(bytes).padStart(10)}  ${((100 * bytes) / bundle.rawBytes).toFixed(1).padStart(5)}%`);
}

const resultsDir = join(ROOT, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `bundle-size-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify({ measuredAt: new Date().toISOString(), budgetGzipBytes: BUNDLE_GZIP_BUDGET_BYTES, met, ...bundle }, null, 2)}\n`);
console.log(`\nwritten: ${file}`);
if (!met) process.exitCode = 1;
