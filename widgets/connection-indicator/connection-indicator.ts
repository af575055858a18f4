import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { HubController } from '../client/controller.ts';
import { defineElement } from '../client/define.ts';
import type { ConnectionState, HubConnection, TransportKind } from '../client/types.ts';
import { fill } from '../shared/labels.ts';
import { buttonStyles, hostStyles } from '../shared/styles.ts';
import { connectionIndicatorStyles } from './connection-indicator.styles.ts';

/** The indicator's texts in English; `{name}` placeholders are filled in. */
export const INDICATOR_LABELS = {
  /** What the status is about; prefixes the accessible status text. */
  name: 'Connection',
  connecting: 'Connecting…',
  live: 'Live',
  fallback: 'Fallback (SSE)',
  reconnecting: 'Reconnecting…',
  reconnectingIn: 'Reconnecting in {seconds} s',
  offline: 'Offline',
  stale: 'Stale',
  latency: '{ms} ms',
  reconnectNow: 'Reconnect now',
  /** The accessible status: `{name}` and the state (without the countdown, which would chatter). */
  status: '{name}: {state}',
  /** A live state with nothing received for longer than the heartbeat allows. */
  staleState: '{state}, {stale}',
};

export type IndicatorLabels = typeof INDICATOR_LABELS;

type Tone = 'connecting' | 'live' | 'fallback' | 'stale' | 'reconnecting' | 'offline';

/**
 * @summary The state of the page's connection to the hub: a dot and a short label, the latency,
 * a stale mark and a "reconnect now" button.
 *
 * @attr hub - URL of the hub. Without it: the enclosing `<jobcast-hub>`, else the hub that served the script.
 * @attr compact - Shows only the dot; the state stays available to assistive technology.
 * @attr labels - Text overrides as JSON, merged over `INDICATOR_LABELS` (also settable as a property).
 * @attr state - Reflects the connection state: `connecting`, `live`, `reconnecting` or `offline`. Read-only.
 * @attr transport - Reflects the live transport: `websocket` or `sse`; absent when not live. Read-only.
 * @attr stale - Present while live but silent for longer than the hub's heartbeat allows. Read-only.
 *
 * @csspart base - The dot and texts.
 * @csspart dot - The coloured dot (`data-tone`: connecting, live, fallback, stale, reconnecting, offline).
 * @csspart label - The state text, with the countdown while waiting to reconnect.
 * @csspart latency - The round-trip time.
 * @csspart stale - The stale mark.
 * @csspart button - The "reconnect now" button.
 *
 * @cssproperty --jobcast-indicator-dot-size - Diameter of the dot.
 * @cssproperty --jobcast-color-scheme - `light dark` (default, follows the user's preference), `light` or `dark`.
 * @cssproperty --jobcast-font-family - Font of all text.
 * @cssproperty --jobcast-font-size - Base font size.
 * @cssproperty --jobcast-text-color - Main text colour.
 * @cssproperty --jobcast-muted-color - Latency and connecting dot.
 * @cssproperty --jobcast-spacing - Gap between the parts.
 * @cssproperty --jobcast-success - Live dot.
 * @cssproperty --jobcast-warning - Reconnecting and stale dot.
 * @cssproperty --jobcast-danger - Offline dot.
 * @cssproperty --jobcast-focus-ring - Focus outline of the button.
 * @cssproperty --jobcast-animation-duration - One pulse of the dot while connecting (slower with reduced motion).
 */
export class ConnectionIndicator extends LitElement {
  static override styles = [hostStyles, buttonStyles, connectionIndicatorStyles];

  static override properties = {
    hub: { type: String },
    compact: { type: Boolean, reflect: true },
    labels: { type: Object },
    state: { type: String, reflect: true },
    transport: { type: String, reflect: true },
    stale: { type: Boolean, reflect: true },
  };

  declare hub: string | null;
  declare compact: boolean;
  declare labels: Partial<IndicatorLabels> | null;
  /** Mirrors the connection; setting it has no lasting effect. */
  declare state: ConnectionState;
  /** Mirrors the connection; setting it has no lasting effect. */
  declare transport: TransportKind | null;
  /** Mirrors the connection; setting it has no lasting effect. */
  declare stale: boolean;

  readonly #hub = new HubController(this);
  /** Re-renders when the countdown or the stale mark would change with no event to say so. */
  #tick: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.hub = null;
    this.compact = false;
    this.labels = null;
    this.state = 'connecting';
    this.transport = null;
    this.stale = false;
  }

  /** The connection shown, while connected to the document. */
  get connection(): HubConnection | null {
    return this.#hub.connection;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#tick);
  }

  protected override willUpdate(): void {
    const connection = this.#hub.connection;
    if (!connection) return;
    this.state = connection.state;
    this.transport = connection.state === 'live' ? connection.transport : null;
    this.stale = isStale(connection, Date.now());
  }

  protected override updated(): void {
    this.#scheduleTick();
  }

  protected override render(): TemplateResult {
    const labels = { ...INDICATOR_LABELS, ...this.labels };
    const connection = this.#hub.connection;
    const tone = this.#tone();
    const stateText = labels[tone === 'stale' ? 'live' : tone];
    const seconds = secondsUntil(connection?.nextRetryAt ?? null, Date.now());
    const visibleText = this.state === 'reconnecting' && seconds !== null ? fill(labels.reconnectingIn, { seconds }) : stateText;
    const announced = this.stale ? fill(labels.staleState, { state: stateText, stale: labels.stale }) : stateText;
    const latency = this.state === 'live' ? (connection?.latencyMs ?? null) : null;
    const offerReconnect = this.state === 'reconnecting' || this.state === 'offline' || this.stale;
    return html`
      <span part="base" class="base" title=${this.compact ? visibleText : nothing}>
        <span part="dot" class="dot" data-tone=${tone}></span>
        <span part="label" class="label" aria-hidden="true">${visibleText}</span>
        ${this.stale ? html`<span part="stale" class="stale" aria-hidden="true">${labels.stale}</span>` : nothing}
        ${latency !== null
          ? html`<span part="latency" class="latency" aria-hidden="true">${fill(labels.latency, { ms: latency })}</span>`
          : nothing}
        <span class="visually-hidden" role="status">${fill(labels.status, { name: labels.name, state: announced })}</span>
      </span>
      ${offerReconnect
        ? html`<button part="button" type="button" @click=${this.#reconnectNow}>${labels.reconnectNow}</button>`
        : nothing}
    `;
  }

  #tone(): Tone {
    if (this.state !== 'live') return this.state;
    if (this.stale) return 'stale';
    return this.transport === 'sse' ? 'fallback' : 'live';
  }

  readonly #reconnectNow = (): void => {
    this.#hub.connection?.reconnectNow();
  };

  #scheduleTick(): void {
    clearTimeout(this.#tick);
    const connection = this.#hub.connection;
    if (!connection) return;
    const now = Date.now();
    let wait: number | null = null;
    if (connection.nextRetryAt !== null && connection.nextRetryAt > now) {
      // Until the shown number of seconds goes down by one.
      wait = ((connection.nextRetryAt - now - 1) % 1000) + 1;
    } else if (connection.state === 'live' && connection.staleAfterMs !== null && connection.lastMessageAt !== null) {
      // While stale, look again every second for the message that ends it.
      wait = this.stale ? 1000 : connection.lastMessageAt + connection.staleAfterMs - now + 1;
    }
    if (wait !== null) this.#tick = setTimeout(() => this.requestUpdate(), Math.max(wait, 16));
  }
}

function isStale(connection: HubConnection, now: number): boolean {
  return (
    connection.state === 'live' &&
    connection.staleAfterMs !== null &&
    connection.lastMessageAt !== null &&
    now - connection.lastMessageAt > connection.staleAfterMs
  );
}

function secondsUntil(time: number | null, now: number): number | null {
  return time === null || time <= now ? null : Math.ceil((time - now) / 1000);
}

defineElement('connection-indicator', ConnectionIndicator);

declare global {
  interface HTMLElementTagNameMap {
    'connection-indicator': ConnectionIndicator;
  }
}
