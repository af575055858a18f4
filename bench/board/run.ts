import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../../tests/support/browser.ts';
import type { Sample } from './page.ts';
import { build } from 'vite';

/**
 * `<migration-board>` under load in Chromium: many live migrations, each updated several times a
 * second through the in-browser fake hub and the real client. Measures frames per second and the
 * longest main-thread task in three runs of one page: the board idle; the same load with only a
 * bare client subscription (what the fake hub and the client cost without any board); the load
 * with the board. The last two differ only by the board.
 */

const { values } = parseArgs({
  options: {
    migrations: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '10' },
  },
});
const MIGRATIONS = Number(values.migrations);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
/** Each of the three runs measures a third of the time. */
const RUN_MS = Math.round((SECONDS * 1000) / 3);
const WARMUP_MS = 500;

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A production build of the bench page, so the figures are those of minified, non-dev Lit. */
async function buildPage(outDir: string): Promise<void> {
  const root = fileURLToPath(new URL('.', import.meta.url));
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: true },
  });
}

function serve(directory: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://localhost').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(directory, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function row(label: string, sample: Sample): string[] {
  const fps = (sample.frames * 1000) / sample.sampleMs;
  const updatesPerSecond = (sample.updates * 1000) / sample.sampleMs;
  return [label, fps.toFixed(1), sample.longestTaskMs.toFixed(0), String(sample.longTasks), updatesPerSecond.toFixed(0)];
}

function printTable(rows: string[][]): void {
  const header = ['run', 'fps', 'longest task ms', 'long tasks', 'updates/s'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  for (const cells of rows) console.log(line(cells));
}

const outDir = await mkdtemp(join(tmpdir(), 'jobcast-board-bench-'));
let server: Server | undefined;
const browser = await launchChromium();
try {
  await buildPage(outDir);
  server = await serve(outDir);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'boardBench' in window);
  await page.evaluate((count) => window.boardBench.createMigrations(count), MIGRATIONS);
  const measure = () => page.evaluate((ms) => window.boardBench.measure(ms), RUN_MS);

  await page.evaluate(() => window.boardBench.subscribeWithoutBoard());
  await page.evaluate((rate) => window.boardBench.startLoad(rate), RATE);
  await page.waitForTimeout(WARMUP_MS);
  const withoutBoard = await measure();
  await page.evaluate(() => window.boardBench.stopLoad());
  await page.evaluate(() => window.boardBench.unsubscribe());

  await page.evaluate(() => window.boardBench.mountBoard());
  await page.waitForTimeout(WARMUP_MS);
  const idle = await measure();
  await page.evaluate((rate) => window.boardBench.startLoad(rate), RATE);
  await page.waitForTimeout(WARMUP_MS);
  const live = await measure();
  await page.evaluate(() => window.boardBench.stopLoad());
  const renderedRows = await page.evaluate(() => window.boardBench.renderedRows());

  const target = MIGRATIONS * RATE;
  console.log(`<migration-board>: ${MIGRATIONS} migrations, ${RATE} updates/s each (${target}/s), Chromium headless`);
  printTable([
    row('board, idle', idle),
    row('load, client only', withoutBoard),
    row('load, board', live),
  ]);
  const fps = (sample: Sample) => (sample.frames * 1000) / sample.sampleMs;
  console.log(
    `fps: board under load / idle board ${(fps(live) / fps(idle)).toFixed(2)}, ` +
      `/ same load without board ${(fps(live) / fps(withoutBoard)).toFixed(2)}; rows in the DOM: ${renderedRows} of ${MIGRATIONS}`,
  );
} finally {
  await browser.close();
  server?.close();
  await rm(outDir, { recursive: true, force: true });
}
