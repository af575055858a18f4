import { MIGRATION_PHASES } from '../../server/jobs/demo/migration-phases.ts';
import type { FakeHub, JobInit, TimelineStep } from '../../widgets/testing/fake-hub.ts';

export { MIGRATION_PHASES };

/** A small seeded generator, so a story with "random" data looks the same on every visit. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A timestamp `minutes` before now, e.g. when a job shown mid-way started. */
export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

/** Evenly spaced absolute progress steps from `from` to `to` of `total`, one every `everyMs`. */
export function progressSteps(options: {
  to: number;
  total: number | null;
  unit: string;
  steps: number;
  everyMs: number;
  from?: number;
}): TimelineStep[] {
  const { to, total, unit, steps, everyMs, from = 0 } = options;
  return Array.from({ length: steps }, (_, index) => ({
    after: everyMs,
    progress: { current: Math.round(from + ((to - from) * (index + 1)) / steps), total, unit },
  }));
}

const TABLE_NAMES = ['customers', 'products', 'orders', 'order_items', 'invoices', 'payments', 'shipments', 'audit_log'];
const DATABASES = ['orders', 'billing', 'catalog', 'crm', 'inventory', 'analytics', 'auth', 'search', 'ledger', 'support'];

export interface MigrationPlan {
  init: JobInit;
  timeline: TimelineStep[];
}

/**
 * One demo migration: its tables, a starting point somewhere along the plan (`startAt`, 0–1)
 * and a timeline that copies the rest, verifies, cuts over and completes.
 */
export function migration(index: number, random: () => number, startAt = 0, stepMs = 1000): MigrationPlan {
  const database = DATABASES[index % DATABASES.length]!;
  const name = `${database}_db → ${database}_db_v${2 + Math.floor(index / DATABASES.length)}`;
  const tables = TABLE_NAMES.slice(0, 3 + Math.floor(random() * 5)).map((table) => ({
    name: table,
    rows: 1000 * Math.round(5 + random() * 400),
  }));
  const totalRows = tables.reduce((sum, table) => sum + table.rows, 0);
  const copied = Math.round(totalRows * startAt);
  const jitter = (): number => Math.round(stepMs * (0.5 + random()));

  const timeline: TimelineStep[] = [];
  if (startAt === 0) {
    timeline.push(
      { after: jitter(), status: 'running', phase: 'preflight', message: 'Checking source and target' },
      { after: jitter(), phase: 'schema', message: `Creating ${tables.length} tables` },
      { after: jitter(), phase: 'copy', message: `Copying ${totalRows.toLocaleString('en')} rows`, progress: { current: 0, total: totalRows, unit: 'rows' } },
    );
  }
  // Table by table, each in a few absolute steps, from where the migration stands.
  let before = 0;
  for (const table of tables) {
    const done = Math.min(table.rows, Math.max(0, copied - before));
    const steps = 1 + Math.floor(random() * 3);
    for (let step = 1; done < table.rows && step <= steps; step += 1) {
      const current = Math.round(done + ((table.rows - done) * step) / steps);
      timeline.push({
        after: jitter(),
        progress: before + current,
        scope: { name: table.name, current, total: table.rows, unit: 'rows' },
      });
    }
    before += table.rows;
  }
  timeline.push(
    { after: jitter(), phase: 'verify', message: 'Comparing row counts and checksums' },
    { after: jitter() * 2, phase: 'cutover', message: 'Moving traffic to the new database' },
    { after: jitter(), phase: 'cleanup', message: 'Dropping the old replication slot' },
    { after: jitter(), status: 'completed', message: 'Migrated', result: { tables: tables.length, rows: totalRows } },
  );

  return {
    init: {
      id: `migration-${String(index + 1).padStart(4, '0')}`,
      type: 'migration',
      status: startAt === 0 ? 'queued' : 'running',
      startedAt: startAt === 0 ? null : minutesAgo(1 + startAt * 20),
      phase: startAt === 0 ? null : 'copy',
      phases: MIGRATION_PHASES,
      labels: { name, team: index % 2 ? 'payments' : 'platform' },
      message: startAt === 0 ? null : `Copying ${totalRows.toLocaleString('en')} rows`,
      progress: { current: copied, total: totalRows, unit: 'rows', percent: (copied / totalRows) * 100 },
      scopes: scopesAt(tables, copied),
      createdAt: new Date(Date.UTC(2026, 10, 21, 9, 0, index)).toISOString(),
    },
    timeline,
  };
}

/** Per-table progress when the first `copied` rows are done. */
function scopesAt(tables: { name: string; rows: number }[], copied: number): JobInit['scopes'] {
  let before = 0;
  return tables.map((table) => {
    const current = Math.min(table.rows, Math.max(0, copied - before));
    before += table.rows;
    return { name: table.name, current, total: table.rows, unit: 'rows', percent: (current / table.rows) * 100 };
  });
}

/** Creates `count` migrations spread along their plans and plays them all. */
export function playMigrations(hub: FakeHub, count: number, options: { seed?: number; stepMs?: number } = {}): void {
  const random = seededRandom(options.seed ?? count);
  for (let index = 0; index < count; index += 1) {
    const plan = migration(index, random, random() < 0.2 ? 0 : random() * 0.9, options.stepMs);
    const job = hub.createJob(plan.init);
    hub.play(job.id, plan.timeline);
  }
}
