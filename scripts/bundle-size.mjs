// Prints the gzip size of the script-tag bundle and fails when it is over budget.
// Usage: node scripts/bundle-size.mjs [--by-source] [file]
//   file defaults to dist/jobcast.js (run `npm run build:widgets` first).
//   --by-source builds the bundle again with a source map (into a temporary folder) and lists
//   what each source file adds: its minified bytes and the gzip size of those bytes alone.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 18_000;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const args = process.argv.slice(2);
const bySource = args.includes('--by-source');
const file = args.find((arg) => !arg.startsWith('--')) ?? 'dist/jobcast.js';

const kilobytes = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;

if (bySource) await printBySource();

let source;
try {
  source = readFileSync(file);
} catch {
  console.error(`${file} not found; run npm run build:widgets first.`);
  process.exit(1);
}

const gzipped = gzipSync(source).length;
console.log(`${file}: ${kilobytes(source.length)} minified, ${kilobytes(gzipped)} gzip (budget ${kilobytes(BUDGET_BYTES)} gzip)`);
if (gzipped > BUDGET_BYTES) {
  console.error(`Over budget by ${kilobytes(gzipped - BUDGET_BYTES)}.`);
  process.exit(1);
}

/**
 * Gzip sizes of each source's bytes taken alone add up to more than the bundle's (gzip finds
 * repeats across files too), but they rank the sources fairly.
 */
async function printBySource() {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'jobcast-size-'));
  try {
    await build({ logLevel: 'warn', build: { outDir, sourcemap: true } });
    const code = readFileSync(join(outDir, 'jobcast.js'), 'utf8');
    const map = JSON.parse(readFileSync(join(outDir, 'jobcast.js.map'), 'utf8'));
    const chunks = new Map();
    for (const { start, end, sourceIndex } of mappedSpans(code, map.mappings)) {
      const name = sourceIndex === null ? '(bundler)' : relative(process.cwd(), resolve(outDir, map.sources[sourceIndex]));
      chunks.set(name, (chunks.get(name) ?? '') + code.slice(start, end));
    }
    const rows = [...chunks].map(([name, text]) => ({ name, minified: text.length, gzip: gzipSync(text).length }));
    rows.sort((a, b) => b.gzip - a.gzip);
    console.log('minified  gzip alone  source');
    for (const row of rows) console.log(`${String(row.minified).padStart(8)}  ${String(row.gzip).padStart(10)}  ${row.name}`);
    const ownGzip = rows.filter((row) => row.name.startsWith('widgets/')).reduce((sum, row) => sum + row.gzip, 0);
    const totalGzip = rows.reduce((sum, row) => sum + row.gzip, 0);
    console.log(`widgets/ alone: ${kilobytes(ownGzip)} of ${kilobytes(totalGzip)} (sum of gzip alone)\n`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Spans of the generated code with the index of the source each came from (source map v3). */
function* mappedSpans(code, mappings) {
  const lineStarts = [0];
  for (let index = code.indexOf('\n'); index >= 0; index = code.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  let sourceIndex = 0;
  let previous = null;
  for (const [line, segments] of mappings.split(';').entries()) {
    let column = 0;
    for (const segment of segments.split(',')) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      column += fields[0];
      if (fields.length > 1) sourceIndex += fields[1];
      const start = lineStarts[line] + column;
      if (previous) yield { ...previous, end: start };
      previous = { start, sourceIndex: fields.length > 1 ? sourceIndex : null };
    }
  }
  if (previous) yield { ...previous, end: code.length };
}

function decodeVlq(segment) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const digit = BASE64.indexOf(character);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >> 1) : value >> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
