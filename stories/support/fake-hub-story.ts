import type { ArgTypes, StoryObj } from '@storybook/web-components-vite';
import type { TemplateResult } from 'lit';
import { FakeHub, type FakeHubOptions } from '../../widgets/testing/fake-hub.ts';

/** How the fake network behaves; switching it is how a story forces a disconnect. */
export type Network = 'up' | 'down' | 'websocket blocked' | 'offline';

/** The controls every fake-hub story has. */
export interface HubArgs {
  /** Freezes every timeline where it is. */
  paused: boolean;
  /** Timeline speed factor. */
  speed: number;
  network: Network;
  /** Round-trip time of the fake network. */
  latencyMs: number;
}

const HUB_ARGS: HubArgs = { paused: false, speed: 1, network: 'up', latencyMs: 0 };

const category = 'Fake hub';

const HUB_ARG_TYPES: Partial<ArgTypes<HubArgs>> = {
  paused: { description: 'Pause every timeline.', table: { category } },
  speed: {
    description: 'Timeline speed: 2 plays twice as fast.',
    control: { type: 'range', min: 0.25, max: 8, step: 0.25 },
    table: { category },
  },
  network: {
    description:
      '`down`: every connection drops and attempts fail (a forced disconnect); `websocket blocked`: ' +
      'WebSockets are refused, so the client falls back to SSE; `offline`: the browser goes offline.',
    control: { type: 'inline-radio' },
    options: ['up', 'down', 'websocket blocked', 'offline'],
    table: { category },
  },
  latencyMs: {
    description: 'Round-trip time of the fake network, in milliseconds.',
    control: { type: 'range', min: 0, max: 2000, step: 50 },
    table: { category },
  },
};

export interface FakeHubStoryOptions {
  /** Creates the story's jobs and starts their timelines on a fresh hub. */
  setup?(hub: FakeHub): void;
  /** The widgets, pointed at `hubUrl`. */
  render(hubUrl: string, args: HubArgs): TemplateResult;
  /** Options of the fake hub (timings, heartbeat, connection options). */
  hub?: FakeHubOptions;
  /** Initial values of the story's controls. */
  args?: Partial<HubArgs>;
}

interface Mounted {
  hub: FakeHub;
  applied: HubArgs | null;
}

/** One hub per rendered story: a Docs page shows several stories at once, each on its own canvas. */
const mounted = new WeakMap<HTMLElement, Mounted>();
let hubCount = 0;

/**
 * A story driven by an in-browser fake hub: the hub is created and set up when the story mounts,
 * disposed when it unmounts, and the "Fake hub" controls act on it while it plays.
 */
export function fakeHubStory(options: FakeHubStoryOptions): StoryObj<HubArgs> {
  return {
    args: { ...HUB_ARGS, ...options.args },
    argTypes: HUB_ARG_TYPES,
    beforeEach(context) {
      const existing = mounted.get(context.canvasElement);
      if (existing) {
        applyArgs(existing, context.args);
        return undefined;
      }
      const hub = new FakeHub(`fake://story-${++hubCount}`, options.hub);
      const story: Mounted = { hub, applied: null };
      mounted.set(context.canvasElement, story);
      options.setup?.(hub);
      applyArgs(story, context.args);
      return () => {
        hub.dispose();
        mounted.delete(context.canvasElement);
      };
    },
    render: (args, context) => options.render(hubOf(context.canvasElement).hubUrl, args),
  };
}

function hubOf(canvas: HTMLElement): FakeHub {
  const story = mounted.get(canvas);
  if (!story) throw new Error('the fake hub is created before the story renders');
  return story.hub;
}

function applyArgs(story: Mounted, args: HubArgs): void {
  const { hub, applied } = story;
  if (hub.speed !== args.speed) hub.speed = args.speed;
  hub.latencyMs = args.latencyMs;
  if (args.paused !== (applied?.paused ?? false)) {
    if (args.paused) hub.pauseAll();
    else hub.resumeAll();
  }
  const previous = applied?.network ?? 'up';
  if (args.network !== previous) {
    if (previous === 'offline') hub.goOnline();
    hub.unreachable = args.network === 'down';
    hub.refuseWebSocket = args.network === 'websocket blocked';
    if (args.network === 'offline') {
      // After the widgets have connected: the page hears `offline` like a real browser's.
      setTimeout(() => hub.goOffline());
    } else if (args.network !== 'up') {
      hub.disconnect();
    }
  }
  story.applied = { ...args };
}
