import type { Meta } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { FakeHub } from '../widgets/testing/fake-hub.ts';
import { fakeHubStory, type HubArgs } from './support/fake-hub-story.ts';
import { migration, playMigrations, seededRandom, type MigrationPlan } from './support/timelines.ts';

const meta: Meta<HubArgs> = {
  title: 'Widgets/migration-board',
  component: 'migration-board',
};
export default meta;

const board = (hubUrl: string) => html`<migration-board hub=${hubUrl}></migration-board>`;

/** Creates a migration from `plan` with `changes` applied, and plays its timeline unless told not to. */
function add(hub: FakeHub, plan: MigrationPlan, changes: Partial<MigrationPlan['init']> = {}, play = true): void {
  const job = hub.createJob({ ...plan.init, ...changes });
  if (play) hub.play(job.id, plan.timeline);
}

export const ThreeInDifferentPhases = fakeHubStory({
  setup(hub) {
    const random = seededRandom(3);
    add(hub, migration(0, random, 0));
    add(hub, migration(1, random, 0.4));
    add(hub, migration(2, random, 1), { phase: 'verify', message: 'Comparing row counts and checksums' });
  },
  render: board,
});

export const Empty = fakeHubStory({ render: board });

export const FailedAndRolledBack = fakeHubStory({
  setup(hub) {
    const random = seededRandom(7);
    add(
      hub,
      migration(0, random, 1),
      {
        status: 'failed',
        error: { code: 'checksum_mismatch', message: 'orders: 12 rows differ between source and target' },
        message: 'Verifying row checksums',
        phase: 'verify',
      },
      false,
    );
    const rolledBack = migration(1, random, 0);
    add(
      hub,
      rolledBack,
      {
        status: 'rolled_back',
        message: 'Rolled back; billing_db is unchanged',
        progress: { ...rolledBack.init.progress, current: 0, percent: 0 },
      },
      false,
    );
    add(hub, migration(2, random, 0.3));
  },
  render: board,
});

export const ThrottledAndStalled = fakeHubStory({
  setup(hub) {
    const random = seededRandom(11);
    add(hub, migration(0, random, 0.45), { throttle: 'replica lag 2.3 s' });
    add(hub, migration(1, random, 0.7), { stalled: true, message: 'No progress for 5 minutes on order_items' }, false);
    add(hub, migration(2, random, 0.2));
  },
  render: board,
});

export const Fifty = fakeHubStory({
  setup: (hub) => playMigrations(hub, 50),
  render: board,
});

export const OneThousandLive = fakeHubStory({
  setup: (hub) => playMigrations(hub, 1000, { stepMs: 2000 }),
  render: board,
});
