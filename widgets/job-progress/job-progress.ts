import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { Control, Job } from '../../server/protocol/job.ts';
import { HubController, type ChannelUpdate, type HubConnection } from '../client/controller.ts';
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

/** What one of the element's buttons does: a control of the followed job, or submitting a new job. */
type Action = Control | 'start';

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

  // Attributes are strings unless a type says otherwise.
  static override properties = {
    hub: {},
    jobId: { attribute: 'job-id', reflect: true },
    controls: { type: Boolean },
    type: {},
    input: {},
    autostart: { type: Boolean },
    labels: { type: Object },
    job: { state: true },
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

  #autostarted = false;
  #clock: ReturnType<typeof setTimeout> | undefined;
  #outputWasAtEnd = true;
  /** The action in flight; the buttons refuse another one meanwhile. */
  #pending: Action | null = null;
  /** Why the last action failed, or the hub's refusal of the channel. */
  #actionError: string | null = null;

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
  }

  /** True when the hub answered that it does not know `jobId` (until the channel changes or the job appears). */
  get unknown(): boolean {
    return this.#hubController.error?.code === 'not_found';
  }

  get #text(): Labels {
    return mergeLabels(this.labels);
  }

  /**
   * Submits a job of `type` with `input` and follows it. Resolves with the new job; rejects (and
   * shows the reason inline) when there is no type, the input is not JSON or the hub refuses.
   */
  start(): Promise<Job> {
    return this.#act('start', async (connection) => {
      if (!this.type) throw new Error('the type attribute is not set');
      const input = this.input ? { input: JSON.parse(this.input) as unknown } : {};
      const job = await connection.submit({ type: this.type, ...input });
      this.jobId = job.id;
      return job;
    });
  }

  /** Runs an action against the hub, shows it in flight, then takes the job it returns or shows why it failed. */
  async #act(action: Action, run: (connection: HubConnection) => Promise<Job>): Promise<Job> {
    this.#pending = action;
    this.#actionError = null;
    this.requestUpdate();
    try {
      const connection = this.#hubController.connection;
      if (!connection) throw new Error('not connected to a hub');
      const job = await run(connection);
      this.#apply(job);
      return job;
    } catch (error) {
      const labels = this.#text;
      this.#actionError = fill(action === 'start' ? labels.startFailed : labels.controlFailed, {
        control: actionText(action, labels),
        message: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      this.#pending = null;
      this.requestUpdate();
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('jobId') && this.job?.id !== this.jobId) {
      this.job = null;
      this.#actionError = null;
    }
    if (this.autostart && !this.#autostarted && !this.jobId && this.type && this.#hubController.connection) {
      this.#autostarted = true;
      // The reason is shown inline by start(); nobody else awaits this call.
      this.start().catch(() => {});
    }
    const output = this.#outputText;
    this.#outputWasAtEnd = !output || output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
  }

  protected override updated(): void {
    // Elapsed time must move while the job runs, even when no event arrives; it stops once the
    // element leaves the document.
    clearTimeout(this.#clock);
    if (this.isConnected && this.job?.startedAt && !isTerminal(this.job.status)) {
      this.#clock = setTimeout(() => this.requestUpdate(), 1000);
    }
    const output = this.#outputText;
    if (output && this.#outputWasAtEnd) output.scrollTop = output.scrollHeight;
  }

  /** The streamed output; it keeps following new output while scrolled to its end. */
  get #outputText(): HTMLElement | null {
    return this.renderRoot.querySelector('pre.output-text');
  }

  #receive(update: ChannelUpdate): void {
    if (update.type !== 'error') {
      const next = update.type === 'snapshot' ? update.jobs.find((job) => job.id === this.jobId) : update.event.job;
      if (next) this.#apply(next);
    } else if (update.code === 'not_found') {
      this.job = null;
    } else {
      this.#actionError = update.message;
    }
  }

  /** Takes a newer state of the followed job and tells the page what changed. */
  #apply(next: Job): void {
    const previous = this.job ?? undefined;
    if (next.id !== this.jobId || (previous && next.seq < previous.seq)) return;
    this.job = next;
    const statusChanged = previous?.status !== next.status;
    const events: Record<JobcastEventName, boolean> = {
      'jobcast-status': statusChanged,
      'jobcast-complete': statusChanged && next.status === 'completed',
      'jobcast-failed': statusChanged && next.status === 'failed',
      'jobcast-progress': !previous || progressChanged(previous, next),
    };
    for (const [name, fire] of Object.entries(events)) {
      if (fire) this.dispatchEvent(new CustomEvent<JobcastEventDetail>(name, { detail: { job: next }, bubbles: true, composed: true }));
    }
    const milestone = milestoneText(previous, next, this.#text);
    if (milestone) this.#announcer.announce(milestone);
  }

  /**
   * One layout for every state: before the snapshot the header names the awaited job (or the
   * type to start) and says it is connecting, or that the hub does not know the job.
   */
  protected override render(): TemplateResult {
    const labels = this.#text;
    const job = this.job;
    const name = job ? jobName(job) : (this.jobId ?? this.type ?? labels.noJob);
    const message = job ? job.message : this.unknown ? fill(labels.unknownJobDetail, { id: name }) : null;
    // Without a job: the hub's answer that it does not know the job, or a job being awaited.
    const [tone, statusText] = this.unknown ? ['danger', labels.unknownJob] : ['neutral', labels.connecting];
    const waiting = this.unknown || this.jobId || this.#pending === 'start';
    return html`<div class="base" part="base" data-status=${job?.status ?? (this.unknown ? 'unknown' : 'waiting')}>
      <div class="header" part="header">
        <span class="name" part="name">${name}</span>
        ${job
          ? renderBadges(job, labels)
          : waiting
            ? html`<span class="badge" part="badge status" data-tone=${tone}>${statusText}</span>`
            : nothing}
      </div>
      ${job ? this.#renderProgress(job, name, labels, formatterFor(resolveLocale(this))) : nothing}
      ${message ? html`<p part="message">${message}</p>` : nothing}
      ${job?.error
        ? html`<p class="error" part="error">${fill(labels.errorCode, { code: job.error.code })}: ${job.error.message}</p>`
        : nothing}
      ${this.controls ? this.#renderControls(job, name, labels) : nothing}
      ${this.#actionError ? html`<p class="error" part="error" role="alert">${this.#actionError}</p>` : nothing}
      ${job ? this.#renderOutput(job, labels) : nothing} ${this.#announcer.render()}
    </div>`;
  }

  #renderProgress(job: Job, name: string, labels: Labels, format: Formatter): TemplateResult {
    const { percent } = job.progress;
    const elapsed = elapsedSeconds(job, Date.now());
    // The percentage leads and stands out.
    const details = [
      percent === null ? null : format.percent(percent),
      stepText(job, labels, format),
      amountText(job.progress, labels, format),
      rateText(job, labels, format),
      etaText(job, labels, format),
      elapsed === null ? null : fill(labels.elapsed, { duration: format.duration(elapsed) }),
    ];
    return html`${renderProgressBar({
        percent,
        label: fill(labels.progressOf, { name }),
        valueText: progressValueText(job, labels, format),
        tone: statusTone(job.status),
        moving: job.status === 'running' || job.status === 'queued',
      })}
      <div class="details" part="details">
        ${details.map((detail, index) =>
          detail ? html`<span class=${index === 0 ? 'percent' : nothing}>${detail}</span>` : nothing,
        )}
      </div>`;
  }

  /** The controls the job allows and the token grants, or Start before there is a job. */
  #renderControls(job: Job | null, name: string, labels: Labels): TemplateResult | typeof nothing {
    const granted = this.#hubController.connection?.grantedControls ?? [];
    const actions: Action[] = job
      ? OFFERED_CONTROLS.filter((control) => job.controls.includes(control) && granted.includes(control))
      : this.type && !this.jobId
        ? ['start']
        : [];
    if (actions.length === 0) return nothing;
    // Buttons are not keyed, so Pause turning into Resume reuses the focused button.
    return html`<div class="controls" part="controls" role="group" aria-label=${fill(labels.controlsOf, { name })}>
      ${actions.map(
        (action) => html`<button
          part="button"
          class=${action === 'cancel' ? 'danger' : nothing}
          data-control=${action}
          aria-disabled=${this.#pending !== null}
          aria-busy=${this.#pending === action}
          @click=${() => {
            if (this.#pending) return;
            const done =
              action === 'start' || !job ? this.start() : this.#act(action, (connection) => connection.control(job.id, action));
            // A refusal is shown inline; nobody else awaits a click.
            done.catch(() => {});
          }}
        >
          ${actionText(action, labels)}
        </button>`,
      )}
    </div>`;
  }

  #renderOutput(job: Job, labels: Labels): TemplateResult {
    const result = job.status === 'completed' && job.result !== null ? JSON.stringify(job.result, null, 2) : null;
    const blocks = [
      [labels.output, job.output, 'output-text'],
      [labels.result, result, 'result'],
    ] as const;
    return html`<div part="output">
      <slot name="output">
        ${blocks.map(([label, text, kind]) =>
          text ? html`<span class="output-label">${label}</span><pre class=${kind} tabindex="0">${text}</pre>` : nothing,
        )}
      </slot>
    </div>`;
  }
}

const actionText = (action: Action, labels: Labels): string => (action === 'start' ? labels.start : labels.control[action]);

/** Whether the amount done or the phase moved; rate and ETA alone do not count. */
const progressChanged = (previous: Job, next: Job): boolean =>
  previous.phase !== next.phase ||
  (['current', 'total', 'percent'] as const).some((key) => previous.progress[key] !== next.progress[key]);

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
