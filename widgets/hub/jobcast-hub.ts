import { ContextProvider } from '@lit/context';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { connect } from '../client/connection.ts';
import { hubContext } from '../client/context.ts';
import { defineElement } from '../client/define.ts';
import { resolveHubUrl } from '../client/hub-url.ts';
import type { HubConnection } from '../client/types.ts';

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
 * @attr hub - URL of the hub. Without it: an enclosing `<jobcast-hub>`, else the hub that served the script.
 * @slot - The widgets (and anything else).
 */
export class JobcastHub extends LitElement {
  static override properties = {
    hub: { type: String, reflect: true },
  };

  static override styles = css`
    :host {
      display: contents;
    }
  `;

  declare hub: string | null;

  readonly #provider = new ContextProvider(this, { context: hubContext });
  #connection: HubConnection | null = null;

  constructor() {
    super();
    this.hub = null;
  }

  /** The connection provided to the subtree while connected. */
  get connection(): HubConnection | null {
    return this.#connection;
  }

  override connectedCallback(): void {
    // Provided before the children connect (they upgrade after their ancestors), so their first
    // context request already finds the connection.
    this.#acquire();
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#connection?.release();
    this.#connection = null;
    this.#provider.setValue(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('hub') && this.isConnected) this.#acquire();
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  #acquire(): void {
    const hubUrl = resolveHubUrl(this);
    if (this.#connection?.hubUrl === hubUrl) return;
    const previous = this.#connection;
    this.#connection = connect(hubUrl);
    this.#provider.setValue(this.#connection);
    previous?.release();
  }
}

defineElement('jobcast-hub', JobcastHub);

declare global {
  interface HTMLElementTagNameMap {
    'jobcast-hub': JobcastHub;
  }
}
