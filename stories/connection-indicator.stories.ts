import type { Meta } from '@storybook/web-components-vite';
import { html } from 'lit';
import { fakeHubStory, type HubArgs } from './support/fake-hub-story.ts';

const meta: Meta<HubArgs> = {
  title: 'Widgets/connection-indicator',
  component: 'connection-indicator',
};
export default meta;

const indicator = (hubUrl: string) => html`<connection-indicator hub=${hubUrl}></connection-indicator>`;

/** Long enough that a story stays in the state it shows. */
const HOUR_MS = 3_600_000;

export const LiveWithLatency = fakeHubStory({
  // Measured every two seconds, so changing the latency control shows soon.
  hub: { connectOptions: { pingIntervalMs: 2000 } },
  render: indicator,
  args: { latencyMs: 120 },
});

export const Connecting = fakeHubStory({
  hub: { connectOptions: { connectTimeoutMs: HOUR_MS } },
  // A hub that never answers: the first attempt never completes.
  setup(hub) {
    hub.silent = true;
  },
  render: indicator,
});

export const ReconnectingWithCountdown = fakeHubStory({
  // Retries wait near the top of a long backoff range, so the countdown is easy to watch.
  hub: { connectOptions: { backoff: { baseMs: 10_000, maxMs: 30_000 }, random: () => 0.99 } },
  render: indicator,
  args: { network: 'down' },
});

export const SseFallback = fakeHubStory({
  render: indicator,
  args: { network: 'websocket blocked' },
});

export const Offline = {
  ...fakeHubStory({ render: indicator, args: { network: 'offline' } }),
  // Going offline is page-wide: on the Docs page this story gets a page of its own.
  parameters: { docs: { story: { inline: false, height: '4rem' } } },
};

export const Stale = fakeHubStory({
  // Heartbeats every second, and silence is never treated as fatal: the mark stays.
  hub: { heartbeatMs: 1000, connectOptions: { heartbeatTimeoutMs: HOUR_MS } },
  // Once the widget is connected the hub goes quiet: still live, but nothing arrives.
  setup(hub) {
    const waiting = setInterval(() => {
      if (hub.openConnections.websocket === 0) return;
      clearInterval(waiting);
      hub.silent = true;
    }, 50);
  },
  render: indicator,
});

export const Compact = fakeHubStory({
  render: (hubUrl) => html`<connection-indicator hub=${hubUrl} compact></connection-indicator>`,
});
