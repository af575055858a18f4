import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Job } from '../../server/protocol/job.ts';
import { connect } from './connection.ts';
import { hubContext } from './context.ts';
import { defaultHubUrl, ownHubUrl } from './hub-url.ts';
import type { ChannelUpdate, HubConnection } from './types.ts';

export type { ChannelUpdate, HubConnection } from './types.ts';

export interface HubControllerOptions {
  /** The channel to follow (`job:<id>`, `jobs`, `jobs:<type>`), read before every update; null for none. */
  channel?: () => string | null;
  /** Called with every update of the channel, before the host re-renders. */
  onUpdate?: (update: ChannelUpdate) => void;
}

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Connects a Lit element to its hub: while the element is in the document it holds a handle on
 * the shared connection (see `resolveHubUrl` for which hub), follows one channel, and
 * re-renders the element on every channel update and connection status change. It follows
 * changes of the element's `hub`, of the surrounding `<jobcast-hub>` and of the channel.
 *
 * ```ts
 * private hub = new HubController(this, { channel: () => (this.jobId ? `job:${this.jobId}` : null) });
 * render() { const job = this.hub.job; ... }
 * ```
 */
export class HubController implements ReactiveController {
  #connection: HubConnection | null = null;
  #channel: string | null = null;
  #unsubscribe: (() => void) | null = null;
  #error: { code: string; message: string } | null = null;
  /** The channel whose first snapshot or error has arrived. */
  #settledChannel: string | null = null;
  readonly #host: Host;
  readonly #options: HubControllerOptions;
  readonly #provided: ContextConsumer<typeof hubContext, Host>;

  constructor(host: Host, options: HubControllerOptions = {}) {
    this.#host = host;
    this.#options = options;
    // Created before addController so the provider's answer is in when hostConnected runs.
    this.#provided = new ContextConsumer(host, {
      context: hubContext,
      subscribe: true,
      callback: () => {
        if (this.#host.isConnected) this.#reconcile();
        this.#host.requestUpdate();
      },
    });
    host.addController(this);
  }

  /** The shared connection while the host is connected, else null. */
  get connection(): HubConnection | null {
    return this.#connection;
  }

  /** The channel currently followed. */
  get channel(): string | null {
    return this.#channel;
  }

  /** Latest state of every job on the channel; empty until its snapshot arrives. */
  get jobs(): Job[] {
    return this.#connection && this.#channel ? this.#connection.jobs(this.#channel) : [];
  }

  /** The first job of the channel: the job of a `job:<id>` channel. */
  get job(): Job | null {
    return this.jobs[0] ?? null;
  }

  /** The hub's refusal of the channel (e.g. `not_found`), cleared by the next snapshot. */
  get error(): { code: string; message: string } | null {
    return this.#error;
  }

  /** True once the channel's snapshot or error has arrived. */
  get settled(): boolean {
    return this.#error !== null || (this.#channel !== null && this.#settledChannel === this.#channel);
  }
  hostConnected(): void {
    this.#reconcile();
  }

  /** Runs before each render, so a new `hub` or channel takes effect in that render. */
  hostUpdate(): void {
    if (this.#host.isConnected) this.#reconcile();
  }

  hostDisconnected(): void {
    this.#follow(null);
    this.#connection?.removeEventListener('statechange', this.#onStateChange);
    this.#connection?.release();
    this.#connection = null;
  }

  #reconcile(): void {
    const hubUrl = ownHubUrl(this.#host) ?? this.#provided.value?.hubUrl ?? defaultHubUrl();
    if (this.#connection?.hubUrl !== hubUrl) {
      this.hostDisconnected();
      this.#connection = connect(hubUrl);
      this.#connection.addEventListener('statechange', this.#onStateChange);
      // A shared connection may already be live and announce nothing; render its status now.
      // (From hostUpdate a direct request would be folded into the update under way.)
      queueMicrotask(() => this.#host.requestUpdate());
    }
    const channel = this.#options.channel?.() ?? null;
    if (channel !== this.#channel || (channel && !this.#unsubscribe)) this.#follow(channel);
  }

  #follow(channel: string | null): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#channel = channel;
    this.#error = null;
    this.#settledChannel = null;
    if (channel && this.#connection) this.#unsubscribe = this.#connection.subscribe(channel, this.#onChannelUpdate);
  }

  readonly #onChannelUpdate = (update: ChannelUpdate): void => {
    if (update.channel !== this.#channel) return;
    this.#error = update.type === 'error' ? { code: update.code, message: update.message } : null;
    this.#settledChannel = update.channel;
    this.#options.onUpdate?.(update);
    this.#host.requestUpdate();
  };

  readonly #onStateChange = (): void => {
    this.#host.requestUpdate();
  };
}
