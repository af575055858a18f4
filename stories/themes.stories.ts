import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import type { IndicatorLabels } from '../widgets/index.ts';
import type { LabelOverrides } from '../widgets/shared/labels.ts';
import type { FakeHub } from '../widgets/testing/fake-hub.ts';
import { fakeHubStory, type HubArgs } from './support/fake-hub-story.ts';
import { ARABIC, ARABIC_INDICATOR, GERMAN, GERMAN_INDICATOR } from './support/labels.ts';
import { MIGRATION_PHASES, migration, minutesAgo, progressSteps, seededRandom } from './support/timelines.ts';

/**
 * The three widgets together, themed by the page. Everything a theme needs is a `--jobcast-*`
 * custom property (they inherit into the shadow roots) or a `::part`; see each element's Docs
 * page for the full lists.
 */
const meta: Meta<HubArgs> = {
  title: 'Themes',
};
export default meta;

const JOB_ID = 'migration-orders';

function setup(hub: FakeHub): void {
  hub.createJob({
    id: JOB_ID,
    type: 'migration',
    status: 'running',
    phase: 'copy',
    phases: MIGRATION_PHASES,
    labels: { name: 'orders_db → orders_db_v2' },
    message: 'Copying 2,218,200 rows',
    startedAt: minutesAgo(4),
    progress: { current: 400_000, total: 2_218_200, unit: 'rows', percent: 18 },
  });
  hub.play(JOB_ID, progressSteps({ from: 400_000, to: 2_218_200, total: 2_218_200, unit: 'rows', steps: 90, everyMs: 1000 }));
  const random = seededRandom(5);
  for (const [index, startAt] of [0, 0.4, 0.9].entries()) {
    const plan = migration(index + 1, random, startAt);
    hub.createJob(plan.init);
    hub.play(plan.init.id!, plan.timeline);
  }
}

interface Theme {
  /** Inline style of the page area: custom properties, colours. */
  style?: string;
  /** A stylesheet for the page area, e.g. `::part` rules. */
  css?: string;
  dir?: 'rtl';
  lang?: string;
  labels?: LabelOverrides;
  indicatorLabels?: Partial<IndicatorLabels>;
}

function themed(theme: Theme): StoryObj<HubArgs> {
  return fakeHubStory({
    setup,
    render: (hubUrl): TemplateResult => html`
      ${theme.css ? html`<style>${theme.css}</style>` : nothing}
      <div class="page" style=${theme.style ?? nothing} dir=${theme.dir ?? nothing} lang=${theme.lang ?? nothing}>
        <jobcast-hub hub=${hubUrl}>
          <connection-indicator .labels=${theme.indicatorLabels ?? null}></connection-indicator>
          <job-progress job-id=${JOB_ID} controls .labels=${theme.labels ?? null}></job-progress>
          <migration-board .labels=${theme.labels ?? null} style="--jobcast-board-height: 20rem"></migration-board>
        </jobcast-hub>
      </div>
    `,
  });
}

const PAGE = 'display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; padding: 1rem;';

export const Light = themed({ style: `${PAGE} --jobcast-color-scheme: light; background: #ffffff;` });

export const Dark = themed({ style: `${PAGE} --jobcast-color-scheme: dark; background: #0d1117; color-scheme: dark;` });

export const BrandTheme = themed({
  style: PAGE,
  css: `
    .page {
      background: #fbf7f2;
      --jobcast-color-scheme: light;
      --jobcast-font-family: Georgia, 'Times New Roman', serif;
      --jobcast-font-size: 0.95rem;
      --jobcast-text-color: #2b1d14;
      --jobcast-muted-color: #6b5444;
      --jobcast-surface: #fffdf9;
      --jobcast-border-color: #e3d3c3;
      --jobcast-radius: 14px;
      --jobcast-accent: #9c3d00;
      --jobcast-track: #f1e4d6;
      --jobcast-bar-height: 0.75rem;
      --jobcast-success: #2f6b3a;
      --jobcast-focus-ring: #9c3d00;
    }
    .page job-progress::part(base) {
      box-shadow: 0 2px 10px rgb(43 29 20 / 0.12);
    }
    .page job-progress::part(name) {
      font-size: 1.15em;
      letter-spacing: 0.01em;
    }
    .page ::part(button) {
      border-radius: 999px;
    }
  `,
});

export const ForcedColors: StoryObj<HubArgs> = {
  ...themed({ style: PAGE }),
  tags: ['forced-colors'],
  parameters: {
    docs: {
      description: {
        story:
          'For Windows High Contrast and other forced-colour modes. To see it, emulate ' +
          '`forced-colors: active` (Chrome DevTools → Rendering); the Storybook test emulates it for this story.',
      },
    },
  },
};

export const RightToLeft = themed({ style: PAGE, dir: 'rtl', lang: 'ar', labels: ARABIC, indicatorLabels: ARABIC_INDICATOR });

export const GermanLabels = themed({ style: PAGE, lang: 'de', labels: GERMAN, indicatorLabels: GERMAN_INDICATOR });
