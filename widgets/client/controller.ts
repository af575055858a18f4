import { ContextEvent } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Job } from '../../server/protocol/job.ts';
import { connect } from './connection.ts';
import { defaultHubUrl, hubContext, ownHubUrl } from './hub-url.ts';
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
  #unsubscribe: (() => void) | undefined;
  /** The channel's latest update; null until its snapshot or error arrives. */
  #lastUpdate: ChannelUpdate | null = null;
  /** The connection of the `<jobcast-hub>` around the host, while connected. */
  #provided: HubConnection | undefined;
  #stopProviding: (() => void) | undefined;
  readonly #host: Host;
  readonly #options: HubControllerOptions;

  constructor(host: Host, options: HubControllerOptions = {}) {
    this.#host = host;
    this.#options = options;
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
    const update = this.#lastUpdate;
    return update?.type === 'error' ? update : null;
  }

  /** True once the channel's snapshot or error has arrived. */
  get settled(): boolean {
    return this.#lastUpdate !== null;
  }

  hostConnected(): void {
    // Asks the `<jobcast-hub>` around the host (across shadow roots) for its connection, and
    // hears of every change of it. It answers at once, so the hub is known below.
    this.#host.dispatchEvent(
      new ContextEvent(
        hubContext,
        this.#host,
        (connection, stop) => {
          this.#provided = connection;
          this.#stopProviding = stop;
          this.#requestUpdate();
        },
        true,
      ),
    );
    this.#reconcile();
  }

  /** Runs before each render, so a new `hub` or channel takes effect in that render. */
  hostUpdate(): void {
    if (this.#host.isConnected) this.#reconcile();
  }

  hostDisconnected(): void {
    this.#stopProviding?.();
    this.#provided = undefined;
    this.#release();
  }

  #release(): void {
    this.#follow(null);
    this.#connection?.removeEventListener('statechange', this.#requestUpdate);
    this.#connection?.release();
    this.#connection = null;
  }

  #reconcile(): void {
    const hubUrl = ownHubUrl(this.#host) ?? this.#provided?.hubUrl ?? defaultHubUrl();
    if (this.#connection?.hubUrl !== hubUrl) {
      this.#release();
      this.#connection = connect(hubUrl);
      this.#connection.addEventListener('statechange', this.#requestUpdate);
      // A shared connection may already be live and announce nothing; render its status now.
      // (From hostUpdate a direct request would be folded into the update under way.)
      queueMicrotask(this.#requestUpdate);
    }
    const channel = this.#options.channel?.() ?? null;
    if (channel !== this.#channel) this.#follow(channel);
  }

  #follow(channel: string | null): void {
    this.#unsubscribe?.();
    this.#channel = channel;
    this.#lastUpdate = null;
    this.#unsubscribe = channel ? this.#connection!.subscribe(channel, this.#onChannelUpdate) : undefined;
  }

  readonly #onChannelUpdate = (update: ChannelUpdate): void => {
    this.#lastUpdate = update;
    this.#options.onUpdate?.(update);
    this.#requestUpdate();
  };

  readonly #requestUpdate = (): void => this.#host.requestUpdate();
}
