// Prints the gzip size of the script-tag bundle and fails when it is over budget.
// Usage: node scripts/bundle-size.mjs [file] (default dist/jobcast.js; run `npm run build:widgets` first).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 18_000;
const file = process.argv[2] ?? 'dist/jobcast.js';

let source;
try {
  source = readFileSync(file);
} catch {
  console.error(`${file} not found; run npm run build:widgets first.`);
  process.exit(1);
}

const kilobytes = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
const gzipped = gzipSync(source).length;
console.log(`${file}: ${kilobytes(source.length)} minified, ${kilobytes(gzipped)} gzip (budget ${kilobytes(BUDGET_BYTES)} gzip)`);
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${kilobytes(gzipped - BUDGET_BYTES)}.`);
  process.exit(1);
}
