import { ContextProvider } from '@lit/context';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { connect } from '../client/connection.ts';
import { defineElement } from '../client/define.ts';
import { hubContext, resolveHubUrl } from '../client/hub-url.ts';
import type { HubConnection, TokenProvider } from '../client/types.ts';

/**
 * Names the hub for every Jobcast widget inside it, including widgets inside other elements'
 * shadow roots, and holds the shared connection while it is in the document. Renders nothing
 * of its own (`display: contents`).
 *
 * ```html
 * <jobcast-hub hub="https://hub.example">
 *   <connection-indicator></connection-indicator>
 *   <job-progress job-id="abc"></job-progress>
 * </jobcast-hub>
 * ```
 *
 * For a hub running with `AUTH=jwt`, give the access token with `token`, or set `tokenProvider`
 * to a function that resolves to a fresh one: it is called for the first token and again before
 * each token expires, so the connection stays open.
 *
 * @attr hub - URL of the hub. Without it: an enclosing `<jobcast-hub>`, else the hub that served the script.
 * @attr token - Access token (a JWT) for a hub running with `AUTH=jwt`.
 * @slot - The widgets (and anything else).
 */
export class JobcastHub extends LitElement {
  static override properties = {
    hub: { reflect: true },
    token: {},
    tokenProvider: { attribute: false },
  };

  static override styles = css`
    :host {
      display: contents;
    }
  `;

  declare hub: string | null;
  declare token: string | null;
  /** Resolves to a fresh access token; called before each token expires. */
  declare tokenProvider: TokenProvider | null;

  /** Holds the connection provided to the subtree while connected. */
  readonly #provider = new ContextProvider(this, { context: hubContext });

  constructor() {
    super();
    this.hub = null;
    this.token = null;
    this.tokenProvider = null;
  }

  /** The connection provided to the subtree while connected. */
  get connection(): HubConnection | null {
    return this.#provider.value ?? null;
  }

  override connectedCallback(): void {
    // Provided before the children connect (they upgrade after their ancestors), so their first
    // context request already finds the connection.
    this.#acquire();
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#provider.value?.release();
    this.#provider.setValue(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The first update sees every property change; the connection already has them.
    if (this.isConnected) this.#acquire(this.hasUpdated && (changed.has('token') || changed.has('tokenProvider')));
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  /** `credentialsChanged` hands a new token or provider to a connection to the same hub. */
  #acquire(credentialsChanged?: boolean): void {
    const hubUrl = resolveHubUrl(this);
    const previous = this.#provider.value;
    if (previous?.hubUrl === hubUrl && !credentialsChanged) return;
    this.#provider.setValue(connect(hubUrl, { token: this.token, tokenProvider: this.tokenProvider }));
    previous?.release();
  }
}

defineElement('jobcast-hub', JobcastHub);

declare global {
  interface HTMLElementTagNameMap {
    'jobcast-hub': JobcastHub;
  }
}
