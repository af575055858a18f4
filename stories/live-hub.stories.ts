import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';

interface LiveArgs {
  /** URL of a running hub. */
  hub: string;
}

/**
 * The widgets against a real hub: start one with `npm start` (it listens on
 * http://127.0.0.1:8787 and accepts localhost origins), then press Start to submit a demo
 * migration. Without a running hub the indicator shows the widgets retrying.
 */
const meta: Meta<LiveArgs> = {
  title: 'Live hub',
  tags: ['live-hub'],
  args: { hub: 'http://127.0.0.1:8787' },
  argTypes: { hub: { control: 'text', description: 'URL of a running hub.' } },
};
export default meta;

export const LiveHub: StoryObj<LiveArgs> = {
  render: ({ hub }) => html`
    <jobcast-hub hub=${hub}>
      <div style="display: grid; gap: 1rem;">
        <connection-indicator></connection-indicator>
        <job-progress type="migration" controls></job-progress>
        <migration-board channel="jobs"></migration-board>
      </div>
    </jobcast-hub>
  `,
};
