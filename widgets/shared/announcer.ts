import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { fill, type Labels } from './labels.ts';

/** Beyond this many milestones in one batch, the rest are summarised as a count. */
const MAX_SPOKEN = 3;

/**
 * A polite `role="status"` live region inside the element's shadow root. Milestones arriving
 * close together are combined into one announcement so a busy board does not flood the screen
 * reader. The region is always rendered (empty) so assistive technology registers it before the
 * first announcement.
 */
export class Announcer implements ReactiveController {
  /** The text currently in the live region. */
  message = '';
  readonly #labels: () => Labels;
  #pending: string[] = [];
  readonly #batchMs: number;
  readonly #host: ReactiveControllerHost;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `batchMs`: how long milestones are gathered before one combined announcement. */
  constructor(host: ReactiveControllerHost, labels: () => Labels, { batchMs = 500 } = {}) {
    this.#host = host;
    this.#labels = labels;
    this.#batchMs = batchMs;
    host.addController(this);
  }

  announce(text: string): void {
    this.#pending.push(text);
    this.#timer ??= setTimeout(() => this.#flush(), this.#batchMs);
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
  }

  render(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.message}</div>`;
  }

  #flush(): void {
    this.#timer = undefined;
    const spoken = this.#pending.slice(0, MAX_SPOKEN);
    const rest = this.#pending.length - spoken.length;
    if (rest > 0) spoken.push(fill(this.#labels().moreMilestones, { count: rest }));
    this.#pending = [];
    // A repeated identical message would not be re-announced; a trailing space makes it differ.
    const text = spoken.join('. ');
    this.message = text === this.message ? `${text} ` : text;
    this.#host.requestUpdate();
  }
}
