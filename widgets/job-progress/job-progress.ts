import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { Control, Job } from '../../server/protocol/job.ts';
import { HubController, type ChannelUpdate } from '../client/controller.ts';
import { defineElement } from '../client/define.ts';
import { Announcer } from '../shared/announcer.ts';
import { formatterFor, resolveLocale, type Formatter } from '../shared/format.ts';
import {
  amountText,
  elapsedSeconds,
  etaText,
  isTerminal,
  jobName,
  milestoneText,
  progressValueText,
  rateText,
  statusTone,
  stepText,
} from '../shared/job-view.ts';
import { fill, mergeLabels, type LabelOverrides, type Labels } from '../shared/labels.ts';
import { renderBadges } from '../shared/badges.ts';
import { renderProgressBar } from '../shared/progress-bar.ts';
import { badgeStyles, barStyles, buttonStyles, hostStyles, noticeStyles } from '../shared/styles.ts';
import { jobProgressStyles } from './job-progress.styles.ts';

/** The controls this element offers, in display order; pause and resume share one place. */
const OFFERED_CONTROLS: readonly Control[] = ['pause', 'resume', 'cancel', 'retry'];

export type JobcastEventName = 'jobcast-status' | 'jobcast-progress' | 'jobcast-complete' | 'jobcast-failed';
export type JobcastEventDetail = { job: Job };

/**
 * @summary Live progress of one back-end job: bar, status, phase, counts, rate, ETA, output and controls.
 *
 * @attr hub - Hub URL. Without it: the enclosing `<jobcast-hub>`, else the hub that served the script.
 * @attr job-id - The job to follow (channel `job:<id>`). Set by `start()` when the element starts the job itself.
 * @attr controls - Shows the cancel, pause/resume and retry buttons the job's current state allows.
 * @attr type - Job type submitted by `start()` / `autostart`.
 * @attr input - Job input for `start()` / `autostart`, as JSON.
 * @attr autostart - Submits a job of `type` once connected, when no `job-id` is set.
 * @attr labels - Text overrides as JSON, merged over the English defaults (also settable as a property).
 * @attr lang - Locale for numbers, durations and dates (inherited from ancestors or the document).
 *
 * @slot output - Replaces the default rendering of the job's streamed output and result.
 *
 * @fires jobcast-status - The job's status changed (and once on the first snapshot). `detail: { job }`.
 * @fires jobcast-progress - The job's progress changed. `detail: { job }`.
 * @fires jobcast-complete - The job completed. `detail: { job }`.
 * @fires jobcast-failed - The job failed. `detail: { job }`.
 *
 * @csspart base - The outer box.
 * @csspart header - Name and badges.
 * @csspart name - The job's name (its `name` label, else its id).
 * @csspart status - The status badge.
 * @csspart badge - Every badge (status, stalled, throttled, worker lost).
 * @csspart track - The progress bar's track (role="progressbar").
 * @csspart fill - The progress bar's fill.
 * @csspart details - Percent, step, amount, rate, ETA and elapsed time.
 * @csspart message - The job's latest message.
 * @csspart error - The failure's code and message, and refused actions.
 * @csspart controls - The group of control buttons.
 * @csspart button - Each control button.
 * @csspart output - The output area around the `output` slot.
 *
 * @cssproperty --jobcast-color-scheme - `light dark` (default), `light` or `dark`.
 * @cssproperty --jobcast-font-family - Font of all text.
 * @cssproperty --jobcast-font-size - Base font size.
 * @cssproperty --jobcast-text-color - Main text colour.
 * @cssproperty --jobcast-muted-color - Secondary text colour.
 * @cssproperty --jobcast-surface - Background.
 * @cssproperty --jobcast-border-color - Borders.
 * @cssproperty --jobcast-radius - Corner radius.
 * @cssproperty --jobcast-spacing - Base gap between parts.
 * @cssproperty --jobcast-accent - Bar fill and running badge.
 * @cssproperty --jobcast-track - Bar track and output background.
 * @cssproperty --jobcast-bar-height - Thickness of the bar.
 * @cssproperty --jobcast-success - Completed colour.
 * @cssproperty --jobcast-warning - Paused, cancelling, stalled colour.
 * @cssproperty --jobcast-danger - Failed colour.
 * @cssproperty --jobcast-focus-ring - Focus outline colour.
 * @cssproperty --jobcast-animation-duration - One sweep of the indeterminate bar (four times slower with reduced motion).
 */
export class JobProgress extends LitElement {
  static override styles = [hostStyles, barStyles, badgeStyles, buttonStyles, noticeStyles, jobProgressStyles];

  static override properties = {
    hub: { type: String },
    jobId: { type: String, attribute: 'job-id', reflect: true },
    controls: { type: Boolean },
    type: { type: String },
    input: { type: String },
    autostart: { type: Boolean },
    labels: { type: Object },
    job: { state: true },
    unknown: { state: true },
    pendingControl: { state: true },
    actionError: { state: true },
  };

  /** Hub URL; read by the hub controller. */
  declare hub: string | null;
  declare jobId: string | null;
  declare controls: boolean;
  declare type: string | null;
  /** Job input as JSON text. */
  declare input: string | null;
  declare autostart: boolean;
  declare labels: LabelOverrides | null;
  /** The followed job's latest state, or null before its snapshot arrives. */
  declare job: Job | null;
  /** True when the hub answered that it does not know `jobId`. */
  declare unknown: boolean;
  private declare pendingControl: Control | 'start' | null;
  private declare actionError: string | null;

  #autostarted = false;
  #clock: ReturnType<typeof setInterval> | undefined;
  #outputWasAtEnd = true;

  readonly #hubController = new HubController(this, {
    channel: () => (this.jobId ? `job:${this.jobId}` : null),
    onUpdate: (update) => this.#receive(update),
  });

  readonly #announcer = new Announcer(this, () => this.#text);

  // Reactive properties are declared and set here, not as class fields, so a compiler emitting
  // standard class fields cannot shadow Lit's accessors.
  constructor() {
    super();
    this.hub = null;
    this.jobId = null;
    this.controls = false;
    this.type = null;
    this.input = null;
    this.autostart = false;
    this.labels = null;
    this.job = null;
    this.unknown = false;
    this.pendingControl = null;
    this.actionError = null;
  }

  get #text(): Labels {
    return mergeLabels(this.labels);
  }

  /**
   * Submits a job of `type` with `input` and follows it. Resolves with the new job; rejects (and
   * shows the reason inline) when there is no type, the input is not JSON or the hub refuses.
   */
  async start(): Promise<Job> {
    this.pendingControl = 'start';
    this.actionError = null;
    try {
      const connection = this.#hubController.connection;
      if (!connection) throw new Error('not connected to a hub');
      if (!this.type) throw new Error('the type attribute is not set');
      const body = this.input ? { type: this.type, input: JSON.parse(this.input) as unknown } : { type: this.type };
      const job = await connection.submit(body);
      this.jobId = job.id;
      this.#apply(job);
      return job;
    } catch (error) {
      this.actionError = fill(this.#text.startFailed, { message: messageOf(error) });
      throw error;
    } finally {
      this.pendingControl = null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopClock();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('jobId') && this.job?.id !== this.jobId) {
      this.job = null;
      this.unknown = false;
      this.actionError = null;
    }
    if (this.autostart && !this.#autostarted && !this.jobId && this.type && this.#hubController.connection) {
      this.#autostarted = true;
      // The reason is shown inline by start(); nobody else awaits this call.
      this.start().catch(() => {});
    }
    const output = this.renderRoot?.querySelector?.('pre.output-text');
    this.#outputWasAtEnd = !output || output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
  }

  protected override updated(): void {
    this.#syncClock();
    const output = this.renderRoot.querySelector('pre.output-text');
    if (output && this.#outputWasAtEnd) output.scrollTop = output.scrollHeight;
  }

  #receive(update: ChannelUpdate): void {
    if (update.type === 'error') {
      if (update.code === 'not_found') {
        this.job = null;
        this.unknown = true;
      } else {
        this.actionError = update.message;
      }
      return;
    }
    const next = update.type === 'snapshot' ? update.jobs.find((job) => job.id === this.jobId) : update.event.job;
    if (next) this.#apply(next);
  }

  /** Takes a newer state of the followed job and tells the page what changed. */
  #apply(next: Job): void {
    const previous = this.job ?? undefined;
    if (next.id !== this.jobId || (previous && next.seq < previous.seq)) return;
    this.job = next;
    this.unknown = false;
    if (previous?.status !== next.status) {
      this.#emit('jobcast-status', next);
      if (next.status === 'completed') this.#emit('jobcast-complete', next);
      if (next.status === 'failed') this.#emit('jobcast-failed', next);
    }
    if (!previous || progressChanged(previous, next)) this.#emit('jobcast-progress', next);
    const milestone = milestoneText(previous, next, this.#text);
    if (milestone) this.#announcer.announce(milestone);
  }

  #emit(name: JobcastEventName, job: Job): void {
    this.dispatchEvent(
      new CustomEvent<JobcastEventDetail>(name, { detail: { job }, bubbles: true, composed: true }),
    );
  }

  async #runControl(control: Control): Promise<void> {
    const job = this.job;
    const connection = this.#hubController.connection;
    if (!job || !connection || this.pendingControl) return;
    this.pendingControl = control;
    this.actionError = null;
    try {
      this.#apply(await connection.control(job.id, control));
    } catch (error) {
      this.actionError = fill(this.#text.controlFailed, { control: this.#text.control[control], message: messageOf(error) });
    } finally {
      this.pendingControl = null;
    }
  }

  /** Elapsed time must move while the job runs even when no event arrives. */
  #syncClock(): void {
    const ticking = this.job !== null && this.job.startedAt !== null && !isTerminal(this.job.status);
    if (ticking && this.#clock === undefined) this.#clock = setInterval(() => this.requestUpdate(), 1000);
    if (!ticking) this.#stopClock();
  }

  #stopClock(): void {
    clearInterval(this.#clock);
    this.#clock = undefined;
  }

  protected override render(): TemplateResult {
    const labels = this.#text;
    const format = formatterFor(resolveLocale(this));
    return html`<div class="base" part="base" data-status=${this.job?.status ?? (this.unknown ? 'unknown' : 'waiting')}>
      ${this.job ? this.#renderJob(this.job, labels, format) : this.#renderWithoutJob(labels)}
      ${this.#announcer.render()}
    </div>`;
  }

  #renderWithoutJob(labels: Labels): TemplateResult {
    if (this.unknown) {
      return html`<div class="header" part="header">
          <span class="name" part="name">${this.jobId}</span>
          <span class="badge" part="badge status" data-tone="danger">${labels.unknownJob}</span>
        </div>
        <p part="message">${fill(labels.unknownJobDetail, { id: this.jobId ?? '' })}</p>`;
    }
    const canStart = this.controls && this.type && !this.jobId;
    const waiting = this.jobId || this.pendingControl === 'start';
    return html`<div class="header" part="header">
        <span class="name" part="name">${this.jobId ?? this.type ?? labels.noJob}</span>
        ${waiting ? html`<span class="badge" part="badge status" data-tone="neutral">${labels.connecting}</span>` : nothing}
      </div>
      ${canStart ? this.#renderStart(labels) : nothing} ${this.#renderActionError()}`;
  }

  #renderStart(labels: Labels): TemplateResult {
    const busy = this.pendingControl === 'start';
    return html`<div class="controls" part="controls">
      <button
        part="button"
        aria-disabled=${busy ? 'true' : 'false'}
        aria-busy=${busy ? 'true' : 'false'}
        @click=${() => !busy && this.start().catch(() => {})}
      >
        ${labels.start}
      </button>
    </div>`;
  }

  #renderJob(job: Job, labels: Labels, format: Formatter): TemplateResult {
    const name = jobName(job);
    const tone = statusTone(job.status);
    const elapsed = elapsedSeconds(job, Date.now());
    const details = [
      stepText(job, labels, format),
      amountText(job.progress, labels, format),
      rateText(job, labels, format),
      etaText(job, labels, format),
      elapsed === null ? null : fill(labels.elapsed, { duration: format.duration(elapsed) }),
    ];
    return html`<div class="header" part="header">
        <span class="name" part="name">${name}</span>
        ${renderBadges(job, labels)}
      </div>
      ${renderProgressBar({
        percent: job.progress.percent,
        label: fill(labels.progressOf, { name }),
        valueText: progressValueText(job, labels, format),
        tone,
        moving: job.status === 'running' || job.status === 'queued',
      })}
      <div class="details" part="details">
        ${job.progress.percent === null
          ? nothing
          : html`<span class="percent">${format.percent(job.progress.percent)}</span>`}
        ${details.map((detail) => (detail ? html`<span>${detail}</span>` : nothing))}
      </div>
      ${job.message ? html`<p part="message">${job.message}</p>` : nothing}
      ${job.error
        ? html`<p class="error" part="error">
            ${fill(labels.errorCode, { code: job.error.code })}: ${job.error.message}
          </p>`
        : nothing}
      ${this.controls ? this.#renderControls(job, labels) : nothing} ${this.#renderActionError()}
      ${this.#renderOutput(job, labels)}`;
  }

  #renderControls(job: Job, labels: Labels): TemplateResult | typeof nothing {
    const granted = this.#hubController.connection?.grantedControls ?? [];
    const offered = OFFERED_CONTROLS.filter((control) => job.controls.includes(control) && granted.includes(control));
    if (offered.length === 0) return nothing;
    // Buttons are not keyed, so Pause turning into Resume reuses the focused button.
    return html`<div class="controls" part="controls" role="group" aria-label=${fill(labels.controlsOf, { name: jobName(job) })}>
      ${offered.map((control) => {
        const busy = this.pendingControl === control;
        return html`<button
          part="button"
          class=${control === 'cancel' ? 'danger' : ''}
          data-control=${control}
          aria-disabled=${this.pendingControl ? 'true' : 'false'}
          aria-busy=${busy ? 'true' : 'false'}
          @click=${() => this.#runControl(control)}
        >
          ${labels.control[control]}
        </button>`;
      })}
    </div>`;
  }

  #renderActionError(): TemplateResult | typeof nothing {
    return this.actionError ? html`<p class="error" part="error" role="alert">${this.actionError}</p>` : nothing;
  }

  #renderOutput(job: Job, labels: Labels): TemplateResult {
    const result = job.status === 'completed' && job.result !== null ? JSON.stringify(job.result, null, 2) : null;
    return html`<div part="output">
      <slot name="output">
        ${job.output
          ? html`<span class="output-label">${labels.output}</span><pre class="output-text" tabindex="0">${job.output}</pre>`
          : nothing}
        ${result === null
          ? nothing
          : html`<span class="output-label">${labels.result}</span><pre class="result" tabindex="0">${result}</pre>`}
      </slot>
    </div>`;
  }
}

function progressChanged(previous: Job, next: Job): boolean {
  const a = previous.progress;
  const b = next.progress;
  return a.current !== b.current || a.total !== b.total || a.percent !== b.percent || previous.phase !== next.phase;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

defineElement('job-progress', JobProgress);

declare global {
  interface HTMLElementTagNameMap {
    'job-progress': JobProgress;
  }
  interface HTMLElementEventMap {
    'jobcast-status': CustomEvent<JobcastEventDetail>;
    'jobcast-progress': CustomEvent<JobcastEventDetail>;
    'jobcast-complete': CustomEvent<JobcastEventDetail>;
    'jobcast-failed': CustomEvent<JobcastEventDetail>;
  }
}
