import { html, LitElement, nothing, render, type PropertyValues, type TemplateResult } from 'lit';
import type { Control, Job, JobStatus } from '../../server/protocol/job.ts';
import { HubController, type ChannelUpdate } from '../client/controller.ts';
import { defineElement } from '../client/define.ts';
import { Announcer } from '../shared/announcer.ts';
import { formatterFor, resolveLocale, type Formatter } from '../shared/format.ts';
import { amountText, etaText, jobName, milestoneText, progressValueText, rateText, statusTone, stepText } from '../shared/job-view.ts';
import { DEFAULT_LABELS, fill, mergeLabels, type LabelOverrides, type Labels } from '../shared/labels.ts';
import { renderBadges } from '../shared/badges.ts';
import { renderProgressBar } from '../shared/progress-bar.ts';
import { badgeStyles, barStyles, buttonStyles, hostStyles, noticeStyles } from '../shared/styles.ts';
import {
  BOARD_CONTROLS,
  buildView,
  needsConfirmation,
  pastPointOfNoReturn,
  rowTops,
  summarize,
  visibleRange,
  type SortDirection,
  type SortKey,
} from './board-model.ts';
import { migrationBoardStyles } from './migration-board.styles.ts';

/** Height of an expanded row's per-table breakdown, which scrolls when there are many tables. */
const BREAKDOWN_HEIGHT = 168;
/** Rows rendered beyond each edge of the viewport, so fast scrolling shows no blank band. */
const OVERSCAN = 4;
/** A board announces at most one combined sentence this often. */
const ANNOUNCE_BATCH_MS = 2000;
const STATUSES = Object.keys(DEFAULT_LABELS.status) as JobStatus[];
/** The properties that change which jobs are shown, or their order. */
const VIEW_PROPERTIES = ['statusFilter', 'query', 'sortKey', 'sortDirection'] as const;
type TextKey = Exclude<keyof Labels, 'status' | 'control'>;
/** The columns' titles, and the key of the columns that sort. */
const COLUMNS: [TextKey, SortKey?][] = [
  ['columnName', 'name'],
  ['columnPlan'],
  ['columnProgress', 'progress'],
  ['columnRecords'],
  ['columnRate'],
  ['columnEta'],
  ['columnStatus', 'status'],
  ['columnControls'],
];
/** The sort menu; `created` is only in the menu. */
const SORT_OPTIONS: [SortKey, TextKey][] = [
  ['created', 'sortCreated'],
  ['progress', 'sortProgress'],
  ['status', 'sortStatus'],
  ['name', 'sortName'],
];

/** A row in the DOM: a Lit render container of its own, and the inputs it was last rendered from. */
type RenderedRow = { container: HTMLElement; inputs: unknown[] };

/** The "42%" next to a bar, empty when the progress is unknown. */
const percentText = (percent: number | null, format: Formatter): string => (percent === null ? '' : format.percent(percent));

/**
 * @summary A live board of migrations: phase plan, progress, records, rate, ETA, status and controls per row.
 *
 * Hub updates are applied to a Map and rendered at most once per animation frame; only the rows in
 * view are in the DOM, and a row re-renders only when its job or its own UI state changed.
 *
 * @attr hub - Hub URL. Without it: the enclosing `<jobcast-hub>`, else the hub that served the script.
 * @attr type - Job type to show (channel `jobs:<type>`). Default `migration`.
 * @attr channel - Any channel (`jobs`, `jobs:<type>`); overrides `type`.
 * @attr row-height - Height of a row in pixels (rows are windowed, so every row has this height). Default 64.
 * @attr labels - Text overrides as JSON, merged over the English defaults (also settable as a property).
 * @attr lang - Locale for numbers, durations and sorting names (inherited from ancestors or the document).
 *
 * @csspart base - The outer box.
 * @csspart summary - Title, counts by status and overall progress.
 * @csspart toolbar - Search, status filter and sort.
 * @csspart search - The search field.
 * @csspart filter - The status filter.
 * @csspart sort - The sort menu.
 * @csspart table - The scrolling table (role="table").
 * @csspart header - The column header row.
 * @csspart row - Each migration row.
 * @csspart cell - Each cell.
 * @csspart stepper - A row's phase plan.
 * @csspart step - One phase of the plan (`data-state` done/current/upcoming, `data-irreversible`).
 * @csspart track - Every progress bar's track (role="progressbar").
 * @csspart fill - Every progress bar's fill.
 * @csspart badge - Status, stalled, throttled and worker-lost badges.
 * @csspart status - Each row's status badge.
 * @csspart button - Every button.
 * @csspart breakdown - The expanded per-table breakdown.
 * @csspart error - Refused actions and hub errors.
 * @csspart confirm - The inline confirmation prompt.
 *
 * @cssproperty --jobcast-board-height - Height of the scrolling table. Default 32rem.
 * @cssproperty --jobcast-color-scheme - `light dark` (default), `light` or `dark`.
 * @cssproperty --jobcast-font-family - Font of all text.
 * @cssproperty --jobcast-font-size - Base font size.
 * @cssproperty --jobcast-text-color - Main text colour.
 * @cssproperty --jobcast-muted-color - Secondary text colour.
 * @cssproperty --jobcast-surface - Background.
 * @cssproperty --jobcast-border-color - Borders.
 * @cssproperty --jobcast-radius - Corner radius.
 * @cssproperty --jobcast-spacing - Base gap between parts.
 * @cssproperty --jobcast-accent - Bars, current phase, active row.
 * @cssproperty --jobcast-track - Bar tracks and upcoming phases.
 * @cssproperty --jobcast-bar-height - Thickness of the bars.
 * @cssproperty --jobcast-success - Completed colour and finished phases.
 * @cssproperty --jobcast-warning - Paused, stalled, throttled colour.
 * @cssproperty --jobcast-danger - Failed colour and the point-of-no-return marker.
 * @cssproperty --jobcast-focus-ring - Focus outline colour.
 * @cssproperty --jobcast-animation-duration - One sweep of an indeterminate bar (four times slower with reduced motion).
 */
export class MigrationBoard extends LitElement {
  static override styles = [hostStyles, barStyles, badgeStyles, buttonStyles, noticeStyles, migrationBoardStyles];

  static override properties = {
    hub: { type: String },
    type: { type: String },
    channel: { type: String },
    rowHeight: { type: Number, attribute: 'row-height' },
    labels: { type: Object },
    statusFilter: { state: true },
    query: { state: true },
    sortKey: { state: true },
    sortDirection: { state: true },
  };

  /** Hub URL; read by the hub controller. */
  declare hub: string | null;
  declare type: string;
  declare channel: string | null;
  declare rowHeight: number;
  declare labels: LabelOverrides | null;
  /** Only jobs with this status are shown; null shows all. */
  declare statusFilter: JobStatus | null;
  /** Text matched against id, labels and message. */
  declare query: string;
  declare sortKey: SortKey;
  declare sortDirection: SortDirection;

  readonly #jobs = new Map<string, Job>();
  #view: Job[] = [];
  #tops: number[] = [0];
  #summary = summarize([]);
  /** Set when the jobs changed: the view and summary are rebuilt before the next render. */
  #viewStale = true;
  #locale = 'en';
  #collator = new Intl.Collator('en');
  #scrollOffset = 0;
  #viewportHeight = 0;

  readonly #expanded = new Set<string>();
  #activeId: string | null = null;
  #confirming: { id: string; control: Control } | null = null;
  readonly #pending = new Map<string, Control>();
  readonly #errors = new Map<string, string>();
  /** What to focus (and scroll into view) after the next render: `selector` in the row of job `id`. */
  #focusTarget: { id: string; selector: string } | null = null;
  /** The rows in the DOM, in display order, by job id. */
  #rows = new Map<string, RenderedRow>();

  readonly #hubController = new HubController(this, {
    channel: () => this.channel || `jobs:${this.type}`,
    onUpdate: (update) => this.#receive(update),
  });

  readonly #announcer = new Announcer(this, () => this.#text, { batchMs: ANNOUNCE_BATCH_MS });

  // Reactive properties are declared and set here, not as class fields, so a compiler emitting
  // standard class fields cannot shadow Lit's accessors.
  constructor() {
    super();
    this.hub = null;
    this.type = 'migration';
    this.channel = null;
    this.rowHeight = 64;
    this.labels = null;
    this.statusFilter = null;
    this.query = '';
    this.sortKey = 'created';
    this.sortDirection = 'ascending';
  }

  get #text(): Labels {
    return mergeLabels(this.labels);
  }

  /** The jobs currently shown, in display order. */
  get visibleJobs(): readonly Job[] {
    return this.#view;
  }

  /**
   * Every render waits for the next animation frame, so any number of hub updates, scrolls and
   * clicks in between cost one render.
   */
  protected override async scheduleUpdate(): Promise<void> {
    await new Promise(requestAnimationFrame);
    super.scheduleUpdate();
  }

  /** The observation outlives a disconnection: a re-inserted board is measured again. */
  protected override firstUpdated(): void {
    const table = this.renderRoot.querySelector('.table')!;
    new ResizeObserver(() => {
      this.#viewportHeight = table.clientHeight;
      this.requestUpdate();
    }).observe(table);
  }

  /** Applies a hub update; the hub controller then asks for a render (and keeps a channel error). */
  #receive(update: ChannelUpdate): void {
    this.#viewStale = true;
    if (update.type === 'snapshot') {
      if (!update.recovered) this.#jobs.clear();
      for (const job of update.jobs) this.#jobs.set(job.id, job);
    } else if (update.type === 'event') {
      const next = update.event.job;
      const previous = this.#jobs.get(next.id);
      if (previous && next.seq < previous.seq) return;
      this.#jobs.set(next.id, next);
      const milestone = milestoneText(previous, next, this.#text);
      if (milestone) this.#announcer.announce(milestone);
    }
  }

  /**
   * Filtering and sorting run only when the jobs, the filter, the search, the sort or the locale
   * changed, not for scrolls, focus or expansion.
   */
  protected override willUpdate(changed: PropertyValues<this>): void {
    const locale = resolveLocale(this);
    if (locale !== this.#locale) {
      this.#locale = locale;
      this.#collator = new Intl.Collator(locale);
      this.#viewStale = true;
    }
    if (this.#viewStale || VIEW_PROPERTIES.some((name) => changed.has(name))) {
      this.#viewStale = false;
      this.#view = buildView(this.#jobs.values(), {
        status: this.statusFilter,
        query: this.query,
        sortKey: this.sortKey,
        direction: this.sortDirection,
        collator: this.#collator,
      });
      this.#summary = summarize(this.#jobs.values());
    }
    this.#tops = rowTops(this.#view, this.rowHeight, this.#expanded, BREAKDOWN_HEIGHT);
    if (!this.#view.some((job) => job.id === this.#activeId)) this.#activeId = this.#view[0]?.id ?? null;
  }

  /**
   * Renders the rows in view, and the focusable row wherever it is (or keyboard focus would be
   * lost), into the body: each row only if one of its inputs changed. Then puts them in display
   * order with as few moves as possible, since a moved row loses focus (put back here) and
   * restarts its animations.
   */
  protected override updated(): void {
    const root = this.shadowRoot!;
    const body = root.querySelector('.body')!;
    const focused = root.activeElement as HTMLElement | null;
    const labels = this.#text;
    const format = formatterFor(this.#locale);
    const granted = this.#hubController.connection?.grantedControls ?? [];
    const rows = new Map<string, RenderedRow>();
    if (this.#view.length) {
      const [start, end] = visibleRange(this.#tops, this.#scrollOffset, this.#viewportHeight || this.rowHeight * 10, OVERSCAN);
      const active = this.#view.findIndex((job) => job.id === this.#activeId);
      const indexes = active < start ? [active] : [];
      for (let index = start; index < end; index++) indexes.push(index);
      if (active >= end) indexes.push(active);
      for (const index of indexes) {
        const job = this.#view[index]!;
        const row = this.#rows.get(job.id) ?? { container: document.createElement('div'), inputs: [] };
        const inputs = [
          job,
          index,
          this.#tops[index]!,
          this.#tops[index + 1]!,
          index === active,
          this.#expanded.has(job.id),
          this.#confirming?.id === job.id ? this.#confirming.control : undefined,
          this.#pending.get(job.id),
          this.#errors.get(job.id),
          granted,
          labels,
          format,
        ] as const;
        if (inputs.some((input, position) => input !== row.inputs[position])) {
          row.inputs = [...inputs];
          render(this.#renderRow(...inputs), row.container);
        }
        rows.set(job.id, row);
      }
    }
    for (const [id, { container }] of this.#rows) if (!rows.has(id)) container.remove();
    this.#rows = rows;
    let next = body.firstChild;
    for (const { container } of rows.values()) {
      if (container === next) next = container.nextSibling;
      else body.insertBefore(container, next);
    }
    const target = this.#focusTarget;
    this.#focusTarget = null;
    const element = target ? rows.get(target.id)?.container.querySelector<HTMLElement>(target.selector) : focused;
    element?.focus({ preventScroll: true });
    if (target) element?.scrollIntoView({ block: 'nearest' });
  }

  // ---- interaction ----------------------------------------------------------------------

  /** The id of the row holding the event's target. */
  #rowId(event: Event): string | undefined {
    return (event.target as Element).closest<HTMLElement>('.row')?.dataset['id'];
  }

  /** The row that receives focus (by click or Tab) becomes the one in the tab order. */
  #onFocusIn(event: FocusEvent): void {
    const id = this.#rowId(event);
    if (!id || id === this.#activeId) return;
    this.#activeId = id;
    this.requestUpdate();
  }

  #onBodyKeydown(event: KeyboardEvent): void {
    const id = this.#rowId(event);
    if (!id) return;
    // Moving and expanding are keys of the row itself; its buttons keep their own keys.
    const onRow = (event.target as Element).matches('.row');
    const page = Math.max(1, Math.floor(this.#viewportHeight / this.rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (event.key === 'Escape' && this.#confirming?.id === id) {
      this.#dismissConfirmation();
    } else if (onRow && event.key in moves) {
      // The new row becomes the focusable one, and is scrolled into view once rendered.
      const index = this.#view.findIndex((job) => job.id === id) + moves[event.key]!;
      const job = this.#view[Math.max(0, Math.min(this.#view.length - 1, index))]!;
      this.#activeId = job.id;
      this.#focus(job.id, '.row');
    } else if (onRow && (event.key === 'Enter' || event.key === ' ')) {
      this.#toggleExpanded(id);
    } else {
      return;
    }
    event.preventDefault();
  }

  #onBodyClick(event: MouseEvent): void {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const id = this.#rowId(event);
    if (!button || !id || button.ariaDisabled === 'true') return;
    const { action, control } = button.dataset;
    if (action === 'expand') this.#toggleExpanded(id);
    else if (action === 'dismiss') this.#dismissConfirmation();
    else this.#requestControl(id, control as Control, action === 'confirm');
  }

  #toggleExpanded(id: string): void {
    if (!this.#expanded.delete(id)) this.#expanded.add(id);
    this.requestUpdate();
  }

  #focus(id: string, selector: string): void {
    this.#focusTarget = { id, selector };
    this.requestUpdate();
  }

  /** Runs `control` at once, or first asks; the confirmation's own button passes `confirmed`. */
  #requestControl(id: string, control: Control, confirmed: boolean): void {
    const job = this.#jobs.get(id);
    if (!job || this.#pending.has(id)) return;
    this.#errors.delete(id);
    if (!confirmed && needsConfirmation(job, control)) {
      this.#confirming = { id, control };
      // The least destructive answer gets focus.
      this.#focus(id, '[data-action="dismiss"]');
    } else {
      void this.#runControl(id, control);
    }
  }

  #dismissConfirmation(): void {
    const { id, control } = this.#confirming!;
    this.#confirming = null;
    this.#focus(id, `[data-control="${control}"]`);
  }

  async #runControl(id: string, control: Control): Promise<void> {
    const connection = this.#hubController.connection;
    if (!connection) return;
    this.#confirming = null;
    this.#pending.set(id, control);
    this.#focus(id, `[data-control="${control}"]`);
    try {
      const job = await connection.control(id, control);
      if (job.seq >= (this.#jobs.get(id)?.seq ?? 0)) this.#jobs.set(id, job);
      this.#viewStale = true;
    } catch (error) {
      // The connection rejects with a HubRequestError, the hub's refusal or a network error.
      const { message } = error as Error;
      this.#errors.set(id, fill(this.#text.controlFailed, { control: this.#text.control[control], message }));
    }
    this.#pending.delete(id);
    this.requestUpdate();
  }

  /** Sorting by the current key again reverses the direction. */
  #sortBy(key: SortKey): void {
    this.sortDirection = this.sortKey === key && this.sortDirection === 'ascending' ? 'descending' : 'ascending';
    this.sortKey = key;
  }

  // ---- rendering ------------------------------------------------------------------------

  /**
   * The board. Its rows are rendered by updated() into the body, ahead of the place the empty
   * state takes here. Inline styles are bound to the `style` property (CSSOM), which a strict CSP
   * allows.
   */
  protected override render(): TemplateResult {
    const labels = this.#text;
    const format = formatterFor(this.#locale);
    const { total, byStatus, percent } = this.#summary;
    const overall = percentText(percent, format);
    const hubError = this.#hubController.error;
    return html`<div class="base" part="base">
      <div class="summary" part="summary">
        <span class="title">${labels.board}</span>
        <span>${fill(format.isSingular(total) ? labels.summaryOne : labels.summary, { count: format.number(total) })}</span>
        <ul class="counts" aria-label=${labels.columnStatus}>
          ${STATUSES.filter((status) => byStatus.has(status)).map(
            (status) => html`<li>
              <span class="badge" part="badge" data-tone=${statusTone(status)}>${labels.status[status]}</span>
              ${format.number(byStatus.get(status)!)}
            </li>`,
          )}
        </ul>
        <div class="overall">
          ${renderProgressBar({
            percent,
            label: labels.overallProgress,
            valueText: overall,
            tone: 'active',
            moving: false,
          })}
          <span>${overall}</span>
        </div>
        ${hubError ? html`<p class="error" part="error" role="alert">${hubError.message}</p>` : nothing}
      </div>
      <div class="toolbar" part="toolbar">
        <label>
          ${labels.search}
          <input
            type="search"
            part="search"
            placeholder=${labels.searchPlaceholder}
            .value=${this.query}
            @input=${(event: InputEvent) => (this.query = (event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          ${labels.filterStatus}
          <select
            part="filter"
            @change=${(event: Event) => (this.statusFilter = ((event.target as HTMLSelectElement).value || null) as JobStatus | null)}
          >
            <option value="" ?selected=${!this.statusFilter}>${labels.allStatuses}</option>
            ${STATUSES.map(
              (status) => html`<option value=${status} ?selected=${this.statusFilter === status}>
                ${labels.status[status]} (${byStatus.get(status) ?? 0})
              </option>`,
            )}
          </select>
        </label>
        <label>
          ${labels.sortBy}
          <select part="sort" @change=${(event: Event) => (this.sortKey = (event.target as HTMLSelectElement).value as SortKey)}>
            ${SORT_OPTIONS.map(
              ([key, title]) => html`<option value=${key} ?selected=${this.sortKey === key}>${labels[title]}</option>`,
            )}
          </select>
        </label>
        <button part="button" @click=${() => this.#sortBy(this.sortKey)}>
          ${this.sortDirection === 'ascending' ? labels.sortAscending : labels.sortDescending}
        </button>
      </div>
      <div
        class="table"
        part="table"
        role="table"
        aria-label=${labels.board}
        aria-rowcount=${this.#view.length + 1}
        @scroll=${(event: Event) => {
          this.#scrollOffset = (event.currentTarget as HTMLElement).scrollTop;
          this.requestUpdate();
        }}
      >
        <div class="head" role="rowgroup">
          <div class="row" part="header" role="row" aria-rowindex="1">
            ${COLUMNS.map(
              ([title, key]) => html`<div
                class="cell"
                part="cell"
                role="columnheader"
                aria-sort=${key ? (key === this.sortKey ? this.sortDirection : 'none') : nothing}
              >
                ${key ? html`<button class="sort" @click=${() => this.#sortBy(key)}>${labels[title]}</button>` : labels[title]}
              </div>`,
            )}
          </div>
        </div>
        <div
          class="body"
          role="rowgroup"
          .style=${`block-size:${Math.max(this.#tops[this.#view.length]!, this.rowHeight)}px`}
          @keydown=${this.#onBodyKeydown}
          @click=${this.#onBodyClick}
          @focusin=${this.#onFocusIn}
        >${this.#view.length
          ? nothing
          : html`<div class="row" role="row" aria-rowindex="2">
              <div class="cell empty" role="cell">${!this.#hubController.settled ? labels.connecting : this.#jobs.size ? labels.noMatches : labels.noMigrations}</div>
            </div>`}</div>
      </div>
      ${this.#announcer.render()}
    </div>`;
  }

  /** One row, placed at `top` (rows are absolutely positioned: only those in view exist). */
  #renderRow(
    job: Job,
    index: number,
    top: number,
    bottom: number,
    active: boolean,
    expanded: boolean,
    confirming: Control | undefined,
    pending: Control | undefined,
    error: string | undefined,
    granted: readonly Control[],
    labels: Labels,
    format: Formatter,
  ): TemplateResult {
    const name = jobName(job);
    const percent = job.progress.percent;
    const current = job.phases.findIndex((phase) => phase.name === job.phase);
    // Only the focusable row's buttons are in the tab order: Tab goes row → its controls → out.
    const tabIndex = active ? 0 : -1;
    const breakdownId = `breakdown-${job.id}`;
    const tablesLabel = fill(labels.showTables, { name });
    const cell = (content: unknown, kind = '') => html`<div class="cell ${kind}" part="cell" role="cell">${content}</div>`;
    return html`<div
      class="row"
      part="row"
      role="row"
      data-id=${job.id}
      data-status=${job.status}
      ?data-active=${active}
      aria-rowindex=${index + 2}
      tabindex=${tabIndex}
      .style=${`transform:translateY(${top}px);block-size:${bottom - top}px`}
    >
      ${cell(
        html`<button
            class="disclosure"
            part="button"
            data-action="expand"
            tabindex=${tabIndex}
            aria-expanded=${expanded}
            aria-controls=${expanded ? breakdownId : nothing}
            aria-label=${tablesLabel}
          ></button>
          <span>
            <span class="line" title=${name}>${name}</span>
            ${name === job.id ? nothing : html`<span class="line muted id">${job.id}</span>`}
          </span>`,
        'name',
      )}
      ${cell(
        html`<ol class="steps" part="stepper" aria-label=${fill(labels.phasePlan, { name })}>
            ${job.phases.map((phase, phaseIndex) => {
              // Each state has its text: phaseDone, phaseCurrent, phaseUpcoming.
              const state =
                job.status === 'completed' || phaseIndex < current ? 'Done' : phaseIndex === current ? 'Current' : 'Upcoming';
              const spoken =
                fill(labels[`phase${state}`], { phase: phase.label ?? phase.name }) +
                (phase.irreversible ? `, ${labels.irreversible}` : '');
              return html`<li part="step" data-state=${state.toLowerCase()} ?data-irreversible=${phase.irreversible} title=${spoken}>
                <span class="visually-hidden">${spoken}</span>
              </li>`;
            })}
          </ol>
          <span class="line">${stepText(job, labels, format)}</span>`,
      )}
      ${cell(
        html`${renderProgressBar({
            percent,
            label: fill(labels.progressOf, { name }),
            valueText: progressValueText(job, labels, format),
            tone: statusTone(job.status),
            moving: job.status === 'running',
          })}
          <span class="line">${percentText(percent, format)}</span>`,
      )}
      ${[amountText(job.progress, labels, format), rateText(job, labels, format), etaText(job, labels, format)].map((text) =>
        cell(html`<span class="line">${text}</span>`),
      )}
      ${cell(
        html`<span class="badges">${renderBadges(job, labels)}</span>
          ${job.error
            ? html`<span class="line error" part="error" title=${job.error.message}>${job.error.code}: ${job.error.message}</span>`
            : nothing}`,
      )}
      ${cell(this.#renderActions(job, name, confirming, pending, error, tabIndex, granted, labels), 'actions')}
      ${expanded
        ? html`<div
            class="cell breakdown"
            part="cell breakdown"
            role="cell"
            id=${breakdownId}
            aria-label=${labels.tables}
            tabindex=${tabIndex}
          >
            ${job.scopes.length === 0
              ? html`<span class="muted">${labels.noTables}</span>`
              : html`<ul aria-label=${tablesLabel}>
                  ${job.scopes.map((scope) => {
                    const amount = amountText(scope, labels, format) ?? format.number(0);
                    const scopePercent = percentText(scope.percent, format);
                    return html`<li>
                      <span class="line">${scope.name}</span>
                      ${renderProgressBar({
                        percent: scope.percent,
                        label: scope.name,
                        valueText: scopePercent ? `${scopePercent} · ${amount}` : amount,
                        tone: 'active',
                        moving: false,
                      })}
                      <span>${amount}</span>
                      <span>${scopePercent}</span>
                    </li>`;
                  })}
                </ul>`}
          </div>`
        : nothing}
    </div>`;
  }

  /**
   * A row's controls, or the question before a risky one (whose confirm button carries the
   * control). Pause and resume share one place: only the one that applies is offered. Controls
   * the token does not grant are not offered at all.
   */
  #renderActions(
    job: Job,
    name: string,
    confirming: Control | undefined,
    pending: Control | undefined,
    error: string | undefined,
    tabIndex: number,
    granted: readonly Control[],
    labels: Labels,
  ): TemplateResult {
    if (confirming) {
      const control = labels.control[confirming];
      const prompt =
        confirming === 'rollback'
          ? labels.confirmRollback
          : confirming === 'cancel' && !pastPointOfNoReturn(job)
            ? labels.confirmCancel
            : labels.confirmIrreversible;
      const promptId = `confirm-${job.id}`;
      return html`<div class="buttons" part="confirm" role="group" aria-labelledby=${promptId}>
          <button
            part="button"
            class="danger"
            data-action="confirm"
            data-control=${confirming}
            tabindex=${tabIndex}
            aria-describedby=${promptId}
          >
            ${fill(labels.confirm, { control })}
          </button>
          <button part="button" data-action="dismiss" tabindex=${tabIndex}>${labels.dismiss}</button>
        </div>
        <span class="note" id=${promptId}>${fill(prompt, { control, name })}</span>`;
    }
    const hidden = job.controls.includes('resume') ? 'pause' : 'resume';
    return html`<div class="buttons" role="group" aria-label=${fill(labels.controlsOf, { name })}>
        ${BOARD_CONTROLS.filter((control) => control !== hidden && granted.includes(control)).map(
          (control) => html`<button
            part="button"
            class=${control === 'cancel' || control === 'rollback' ? 'danger' : ''}
            data-action="control"
            data-control=${control}
            tabindex=${tabIndex}
            ?disabled=${!job.controls.includes(control)}
            aria-disabled=${!!pending}
            aria-busy=${pending === control}
          >
            ${labels.control[control]}
          </button>`,
        )}
      </div>
      ${error ? html`<span class="note error" part="error" role="alert" title=${error}>${error}</span>` : nothing}`;
  }
}

defineElement('migration-board', MigrationBoard);

declare global {
  interface HTMLElementTagNameMap {
    'migration-board': MigrationBoard;
  }
}
