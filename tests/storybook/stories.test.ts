/**
 * Opens every story of the built Storybook (storybook-static/, from `npm run build-storybook`)
 * in Chromium and fails on any page error, console error or axe-core violation.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';

const STATIC_DIR = new URL('../../storybook-static/', import.meta.url).pathname;
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PAGES = 4;
/** True in the Storybook iframe once the story has rendered and its afterEach hooks ran. */
const STORY_FINISHED = "window.__STORYBOOK_PREVIEW__?.currentRender?.phase === 'finished'";
/** After the story has finished rendering: time for timelines to move and widgets to follow. */
const SETTLE_MS = 500;

interface IndexEntry {
  id: string;
  type: 'story' | 'docs';
  title: string;
  name: string;
  tags?: string[];
}

const stories = readStories();

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

let server: Server;
let baseUrl: string;
let browser: Browser;
const idlePages: Page[] = [];
const waiting: ((page: Page) => void)[] = [];

before(async () => {
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    // Browsers ask for it by themselves; Storybook ships an SVG icon instead.
    if (path === '/favicon.ico') return void response.writeHead(204).end();
    const file = join(STATIC_DIR, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  for (let index = 0; index < PAGES; index += 1) idlePages.push(await context.newPage());
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('every story renders without errors or accessibility violations', { concurrency: PAGES }, () => {
  for (const story of stories) {
    test(`${story.title} / ${story.name}`, { timeout: 30_000 }, async () => {
      const page = await takePage();
      try {
        await checkStory(page, story);
      } finally {
        releasePage(page);
      }
    });
  }
});

async function checkStory(page: Page, story: IndexEntry): Promise<void> {
  const tags = story.tags ?? [];
  const errors: string[] = [];
  const onPageError = (error: Error) => errors.push(`page error: ${error.message}`);
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    // The live-hub story tries a hub that is usually not running; refused connections are expected.
    if (tags.includes('live-hub') && /ERR_CONNECTION_REFUSED/.test(message.text())) return;
    const { url } = message.location();
    errors.push(`console error: ${message.text()}${url ? ` (${url})` : ''}`);
  };
  page.on('pageerror', onPageError);
  page.on('console', onConsole);
  try {
    await page.emulateMedia({ forcedColors: tags.includes('forced-colors') ? 'active' : 'none' });
    await page.goto(`${baseUrl}/iframe.html?id=${encodeURIComponent(story.id)}&viewMode=story`);
    // Finished: rendered, and the a11y addon's own axe run is over (two runs at once would clash).
    await page.waitForFunction(STORY_FINISHED, null, { timeout: 20_000 });
    await page.waitForTimeout(SETTLE_MS);
    await page.addScriptTag({ path: AXE_SCRIPT });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      // A story is a fragment of a page, not a page: landmark rules do not apply.
      const result = await axe.run('#storybook-root', { rules: { region: { enabled: false } } });
      return result.violations.map(
        (violation) =>
          `axe ${violation.id} (${violation.impact}): ${violation.help}\n` +
          violation.nodes.map((node) => `    ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ')}`).join('\n'),
      );
    });
    errors.push(...violations);
  } finally {
    // Unload the story before the next one: its timers and retries must not log into another story.
    await page.goto('about:blank');
    page.off('pageerror', onPageError);
    page.off('console', onConsole);
  }
  if (errors.length > 0) throw new Error(`${story.id}:\n  ${errors.join('\n  ')}`);
}

function readStories(): IndexEntry[] {
  let index: { entries: Record<string, IndexEntry> };
  try {
    index = JSON.parse(readFileSync(join(STATIC_DIR, 'index.json'), 'utf8')) as typeof index;
  } catch {
    throw new Error('storybook-static/index.json is missing: run `npm run build-storybook` first');
  }
  return Object.values(index.entries).filter((entry) => entry.type === 'story');
}

async function takePage(): Promise<Page> {
  const page = idlePages.pop();
  if (page) return page;
  return new Promise((resolve) => waiting.push(resolve));
}

function releasePage(page: Page): void {
  const next = waiting.shift();
  if (next) next(page);
  else idlePages.push(page);
}
