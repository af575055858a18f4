import '../../widgets/migration-board/migration-board.ts';
import { connect } from '../../widgets/client/connection.ts';
import { FakeHub } from '../../widgets/testing/fake-hub.ts';

/**
 * The page side of the board benchmark: an in-browser fake hub with many migrations, a
 * `<migration-board>` on it, and a load generator. `run.ts` drives it through `window.boardBench`.
 */

const hub = new FakeHub('fake://bench');
const phases = [
  { name: 'schema', label: 'Schema' },
  { name: 'copy', label: 'Copy' },
  { name: 'verify', label: 'Verify' },
  { name: 'swap', label: 'Swap', irreversible: true },
  { name: 'cleanup', label: 'Clean up' },
];
const TOTAL = 1_000_000;
const TICK_MS = 10;

/** One measured run, as the page reports it to the bench driver. */
export interface Sample {
  sampleMs: number;
  frames: number;
  longestTaskMs: number;
  longTasks: number;
  updates: number;
}

const progress = new Map<string, number>();
let load: ReturnType<typeof setInterval> | undefined;
let updates = 0;

function createMigrations(count: number): string[] {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = `mig-${String(index).padStart(4, '0')}`;
    const current = Math.floor(Math.random() * TOTAL * 0.5);
    hub.createJob({
      id,
      type: 'migration',
      status: 'running',
      phases,
      phase: 'copy',
      labels: { name: `Tenant ${index}`, region: index % 2 ? 'eu' : 'us' },
      progress: { current, total: TOTAL, unit: 'records', percent: (current / TOTAL) * 100 },
      scopes: [
        { name: 'orders', current: 0, total: TOTAL / 2, unit: 'rows', percent: 0 },
        { name: 'customers', current: 0, total: TOTAL / 2, unit: 'rows', percent: 0 },
      ],
    });
    progress.set(id, current);
    ids.push(id);
  }
  return ids;
}

/**
 * Sends `perJobPerSecond` progress updates per migration, round robin. Each 10 ms tick sends what
 * the clock says is owed, up to two ticks' worth: a late tick catches up a little, but a
 * saturated page shows as a lower achieved rate rather than as ever larger bursts.
 */
function startLoad(ids: string[], perJobPerSecond: number): void {
  const perMs = (ids.length * perJobPerSecond) / 1000;
  const start = performance.now();
  let sent = 0;
  let cursor = 0;
  load = setInterval(() => {
    const owed = Math.min(Math.floor((performance.now() - start) * perMs) - sent, Math.ceil(perMs * TICK_MS * 2));
    for (let count = 0; count < owed; count++) {
      const id = ids[cursor]!;
      cursor = (cursor + 1) % ids.length;
      const current = Math.min(TOTAL, progress.get(id)! + 50 + Math.floor(Math.random() * 100));
      progress.set(id, current);
      hub.update(id, { progress: current });
    }
    sent = Math.floor((performance.now() - start) * perMs);
    updates += owed;
  }, TICK_MS);
}

/** Frames per second and long tasks (over 50 ms) during `ms` milliseconds. */
async function measure(ms: number): Promise<Sample> {
  let frames = 0;
  let longestTaskMs = 0;
  let longTasks = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks += 1;
      longestTaskMs = Math.max(longestTaskMs, entry.duration);
    }
  });
  observer.observe({ type: 'longtask' });
  const updatesBefore = updates;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const frame = (now: number) => {
      frames += 1;
      if (now - start < ms) requestAnimationFrame(frame);
      else resolve();
    };
    requestAnimationFrame(frame);
  });
  const sampleMs = performance.now() - start;
  observer.disconnect();
  return { sampleMs, frames, longestTaskMs, longTasks, updates: updates - updatesBefore };
}

async function mountBoard(): Promise<void> {
  const board = document.createElement('migration-board');
  board.setAttribute('hub', hub.hubUrl);
  document.body.append(board);
  const start = performance.now();
  while (board.visibleJobs.length < ids.length) {
    if (performance.now() - start > 10_000) throw new Error('the board did not show every migration');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let ids: string[] = [];
let release: (() => void) | undefined;

const boardBench = {
  createMigrations(count: number): void {
    ids = createMigrations(count);
  },
  /** A bare client subscription to the board's channel: the transport's cost without the board. */
  subscribeWithoutBoard(): void {
    const connection = connect(hub.hubUrl);
    const unsubscribe = connection.subscribe('jobs:migration', () => {});
    release = () => {
      unsubscribe();
      connection.release();
    };
  },
  unsubscribe(): void {
    release?.();
  },
  mountBoard,
  measure,
  startLoad(perJobPerSecond: number): void {
    startLoad(ids, perJobPerSecond);
  },
  stopLoad(): void {
    clearInterval(load);
  },
  renderedRows(): number {
    return document.querySelector('migration-board')!.shadowRoot!.querySelectorAll('.body [data-id]').length;
  },
};

declare global {
  interface Window {
    boardBench: typeof boardBench;
  }
}

window.boardBench = boardBench;
