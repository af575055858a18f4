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
 * @cssproperty --jobcast-animation-duration - One pulse of the dot while connecting or reconnecting (no pulse with reduced motion).
 */
export class ConnectionIndicator extends LitElement {
  static override styles = [hostStyles, buttonStyles, connectionIndicatorStyles];

  // Attributes are strings unless a type says otherwise.
  static override properties = {
    hub: {},
    compact: { type: Boolean, reflect: true },
    labels: { type: Object },
    state: { reflect: true },
    transport: { reflect: true },
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
  /** Whole seconds until the next attempt to reconnect, while one is planned. */
  #retrySeconds: number | null = null;
  /**
   * Re-renders when the countdown or the stale mark would change with no event to say so. Once
   * the element leaves the document it has no connection, so the next tick schedules no other.
   */
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

  protected override willUpdate(): void {
    clearTimeout(this.#tick);
    const connection = this.#hub.connection;
    if (!connection) return;
    const { state, nextRetryAt, staleAfterMs, lastMessageAt } = connection;
    const now = Date.now();
    const retryIn = nextRetryAt === null ? 0 : nextRetryAt - now;
    // How much longer a live connection may stay silent before it is stale (negative once it is).
    const staleIn = state === 'live' && staleAfterMs !== null && lastMessageAt !== null ? lastMessageAt + staleAfterMs - now : null;
    this.state = state;
    this.transport = state === 'live' ? connection.transport : null;
    this.stale = staleIn !== null && staleIn < 0;
    this.#retrySeconds = retryIn > 0 ? Math.ceil(retryIn / 1000) : null;
    // Wake up when the shown seconds go down by one, or when the silence turns stale; while
    // stale, look again every second for the message that ends it.
    const wait = retryIn > 0 ? ((retryIn - 1) % 1000) + 1 : staleIn === null ? null : this.stale ? 1000 : staleIn + 1;
    if (wait !== null) this.#tick = setTimeout(() => this.requestUpdate(), Math.max(wait, 16));
  }

  protected override render(): TemplateResult {
    const labels = { ...INDICATOR_LABELS, ...this.labels };
    const { state, stale } = this;
    const tone: Tone = state !== 'live' ? state : stale ? 'stale' : this.transport === 'sse' ? 'fallback' : 'live';
    const stateText = labels[tone === 'stale' ? 'live' : tone];
    const seconds = state === 'reconnecting' ? this.#retrySeconds : null;
    const visibleText = seconds === null ? stateText : fill(labels.reconnectingIn, { seconds });
    // The live region leaves the countdown out, which would chatter.
    const announced = stale ? fill(labels.staleState, { state: stateText, stale: labels.stale }) : stateText;
    const latency = state === 'live' ? this.#hub.connection?.latencyMs : null;
    return html`
      <span part="base" class="base" title=${this.compact ? visibleText : nothing}>
        <span part="dot" class="dot" data-tone=${tone}></span>
        <span part="label" class="label" aria-hidden="true">${visibleText}</span>
        ${stale ? html`<span part="stale" class="stale" aria-hidden="true">${labels.stale}</span>` : nothing}
        ${latency == null
          ? nothing
          : html`<span part="latency" class="latency" aria-hidden="true">${fill(labels.latency, { ms: latency })}</span>`}
        <span class="visually-hidden" role="status">${fill(labels.status, { name: labels.name, state: announced })}</span>
      </span>
      ${state === 'reconnecting' || state === 'offline' || stale
        ? html`<button part="button" type="button" @click=${() => this.#hub.connection?.reconnectNow()}>
            ${labels.reconnectNow}
          </button>`
        : nothing}
    `;
  }
}

defineElement('connection-indicator', ConnectionIndicator);

declare global {
  interface HTMLElementTagNameMap {
    'connection-indicator': ConnectionIndicator;
  }
}
