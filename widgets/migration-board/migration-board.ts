import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Control, Job, JobStatus } from '../../server/protocol/job.ts';
import { HubController, type ChannelUpdate } from '../client/controller.ts';
import { defineElement } from '../client/define.ts';
import { Announcer } from '../shared/announcer.ts';
import { formatterFor, resolveLocale, type Formatter } from '../shared/format.ts';
import {
  amountText,
  etaText,
  jobName,
  milestoneText,
  phaseLabel,
  progressValueText,
  rateText,
  statusTone,
  stepText,
} from '../shared/job-view.ts';
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
  SORT_KEYS,
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
type TextKey = Exclude<keyof Labels, 'status' | 'control'>;
/** The columns' titles, and the key of the columns that sort; `created` is only in the sort menu. */
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
const SORT_LABELS: Record<SortKey, TextKey> = {
  created: 'sortCreated',
  progress: 'sortProgress',
  status: 'sortStatus',
  name: 'sortName',
};

type Confirming = { id: string; control: Control };

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
  #viewStale = true;
  #frame = 0;
  /** Set when a render is wanted: the next frame arrived, or the board's own UI state changed. */
  #renderDue = true;
  #hubError: string | null = null;

  #scrollOffset = 0;
  #viewportHeight = 0;
  #headerHeight = 0;
  #resizeObserver: ResizeObserver | undefined;

  readonly #expanded = new Set<string>();
  #activeId: string | null = null;
  readonly #pending = new Map<string, Control>();
  readonly #errors = new Map<string, string>();
  #confirming: Confirming | null = null;
  /** What to focus after the next render: rows may be re-created or moved while they have focus. */
  #focusTarget: { id: string; selector: string } | null = null;

  #locale = 'en';
  #collator = new Intl.Collator('en');

  readonly #hubController = new HubController(this, {
    channel: () => this.channel || `jobs:${this.type}`,
    onUpdate: (update) => this.#receive(update),
  });

  readonly #announcer = new Announcer(this, () => this.#text, {
    batchMs: ANNOUNCE_BATCH_MS,
    requestRender: () => this.#renderNow(),
  });

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

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#observeSize();
  }

  protected override firstUpdated(): void {
    this.#observeSize();
  }

  #observeSize(): void {
    const table = this.renderRoot.querySelector<HTMLElement>('.table');
    const head = this.renderRoot.querySelector<HTMLElement>('.head');
    if (!table || !head) return;
    this.#resizeObserver = new ResizeObserver(() => {
      this.#viewportHeight = table.clientHeight;
      this.#headerHeight = head.offsetHeight;
      this.#scheduleFrame();
    });
    this.#resizeObserver.observe(table);
  }

  #receive(update: ChannelUpdate): void {
    if (update.type === 'error') {
      this.#hubError = update.message;
    } else if (update.type === 'snapshot') {
      if (!update.recovered) this.#jobs.clear();
      for (const job of update.jobs) this.#jobs.set(job.id, job);
      this.#hubError = null;
    } else {
      const next = update.event.job;
      const previous = this.#jobs.get(next.id);
      if (previous && next.seq < previous.seq) return;
      this.#jobs.set(next.id, next);
      const milestone = milestoneText(previous, next, this.#text);
      if (milestone) this.#announcer.announce(milestone);
    }
    this.#viewStale = true;
    this.#scheduleFrame();
  }

  /** Coalesces any number of hub updates and scrolls into one render on the next frame. */
  #scheduleFrame(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#renderNow();
    });
  }

  /** For the board's own UI state (expansion, focus, controls), which should not wait a frame. */
  #renderNow(): void {
    this.#renderDue = true;
    this.requestUpdate();
  }

  /**
   * The hub controller asks for a render on every channel update; those wait for the frame.
   * Property changes (filter, sort, search, attributes) render at once.
   */
  protected override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 0 || this.#renderDue;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#focusTarget ??= this.#focusedInRow();
    const locale = resolveLocale(this);
    if (locale !== this.#locale) {
      this.#locale = locale;
      this.#collator = new Intl.Collator(locale);
      this.#viewStale = true;
    }
    if (changed.has('statusFilter') || changed.has('query') || changed.has('sortKey') || changed.has('sortDirection')) {
      this.#viewStale = true;
    }
    if (changed.has('rowHeight')) this.#viewStale = true;
    if (this.#viewStale) this.#rebuildView();
  }

  #rebuildView(): void {
    this.#viewStale = false;
    this.#view = buildView(this.#jobs.values(), {
      status: this.statusFilter,
      query: this.query,
      sortKey: this.sortKey,
      direction: this.sortDirection,
      collator: this.#collator,
    });
    this.#tops = rowTops(this.#view, this.rowHeight, this.#expanded, BREAKDOWN_HEIGHT);
    this.#summary = summarize(this.#jobs.values());
    if (!this.#activeId || !this.#view.some((job) => job.id === this.#activeId)) this.#activeId = this.#view[0]?.id ?? null;
  }

  protected override updated(): void {
    this.#renderDue = false;
    const target = this.#focusTarget;
    if (!target) return;
    this.#focusTarget = null;
    const row = this.#rowElement(target.id);
    const element = (target.selector && row?.querySelector<HTMLElement>(target.selector)) || row;
    if (element && this.shadowRoot?.activeElement !== element) element.focus({ preventScroll: true });
  }

  /**
   * Where focus is inside the rows before a render: repeat() may move a focused row or a new
   * sort may re-create it, which drops focus; updated() puts it back.
   */
  #focusedInRow(): { id: string; selector: string } | null {
    const focused = this.shadowRoot?.activeElement as HTMLElement | null | undefined;
    const row = focused?.closest<HTMLElement>('.body .row');
    const id = row?.dataset['id'];
    if (!focused || !id) return null;
    const { control, action } = focused.dataset;
    const selector = control ? `button[data-control="${control}"]` : action ? `button[data-action="${action}"]` : '';
    return { id, selector };
  }

  // ---- interaction ----------------------------------------------------------------------

  #rowElement(id: string): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`.body .row[data-id="${CSS.escape(id)}"]`);
  }

  #onScroll(event: Event): void {
    this.#scrollOffset = (event.currentTarget as HTMLElement).scrollTop;
    this.#scheduleFrame();
  }

  /** The row that receives focus (by click or Tab) becomes the one in the tab order. */
  #onFocusIn(event: FocusEvent): void {
    const row = (event.target as Element).closest<HTMLElement>('.body .row');
    const id = row?.dataset['id'];
    if (!id || id === this.#activeId) return;
    this.#activeId = id;
    this.#renderNow();
  }

  #onBodyKeydown(event: KeyboardEvent): void {
    const row = (event.target as Element).closest<HTMLElement>('.body .row');
    const id = row?.dataset['id'];
    if (!row || !id) return;
    if (event.key === 'Escape' && this.#confirming?.id === id) {
      event.preventDefault();
      this.#dismissConfirmation();
      return;
    }
    if (event.target !== row) return;
    const index = this.#view.findIndex((job) => job.id === id);
    const page = Math.max(1, Math.floor(this.#viewportHeight / this.rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: this.#view.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      this.#activateRow(moves[event.key]!);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.#toggleExpanded(id);
    }
  }

  /** Moves the roving focus to the row at `index`, scrolling it into view. */
  #activateRow(index: number): void {
    const job = this.#view[Math.max(0, Math.min(this.#view.length - 1, index))];
    if (!job) return;
    this.#activeId = job.id;
    const position = this.#view.indexOf(job);
    const top = this.#tops[position]!;
    const bottom = this.#tops[position + 1]!;
    const visibleHeight = this.#viewportHeight - this.#headerHeight;
    const table = this.renderRoot.querySelector<HTMLElement>('.table')!;
    if (top < this.#scrollOffset) table.scrollTop = top;
    else if (bottom > this.#scrollOffset + visibleHeight) table.scrollTop = bottom - visibleHeight;
    this.#scrollOffset = table.scrollTop;
    this.#focusTarget = { id: job.id, selector: '' };
    this.#renderNow();
  }

  #toggleExpanded(id: string): void {
    if (this.#expanded.has(id)) this.#expanded.delete(id);
    else this.#expanded.add(id);
    this.#viewStale = true;
    this.#renderNow();
  }

  #onBodyClick(event: MouseEvent): void {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const id = button?.closest<HTMLElement>('.row')?.dataset['id'];
    if (!button || !id || button.getAttribute('aria-disabled') === 'true') return;
    const control = button.dataset['control'] as Control | undefined;
    switch (button.dataset['action']) {
      case 'expand':
        this.#toggleExpanded(id);
        break;
      case 'control':
        if (control) this.#requestControl(id, control);
        break;
      case 'confirm':
        if (this.#confirming?.id === id) void this.#runControl(id, this.#confirming.control);
        break;
      case 'dismiss':
        this.#dismissConfirmation();
        break;
    }
  }

  #requestControl(id: string, control: Control): void {
    const job = this.#jobs.get(id);
    if (!job || this.#pending.has(id)) return;
    if (needsConfirmation(job, control)) {
      this.#confirming = { id, control };
      this.#errors.delete(id);
      // The least destructive answer gets focus.
      this.#focusTarget = { id, selector: 'button[data-action="dismiss"]' };
      this.#renderNow();
    } else {
      void this.#runControl(id, control);
    }
  }

  #dismissConfirmation(): void {
    const confirming = this.#confirming;
    if (!confirming) return;
    this.#confirming = null;
    this.#focusTarget = { id: confirming.id, selector: `button[data-control="${confirming.control}"]` };
    this.#renderNow();
  }

  async #runControl(id: string, control: Control): Promise<void> {
    const connection = this.#hubController.connection;
    if (!connection) return;
    this.#confirming = null;
    this.#pending.set(id, control);
    this.#errors.delete(id);
    this.#focusTarget = { id, selector: `button[data-control="${control}"]` };
    this.#renderNow();
    try {
      const job = await connection.control(id, control);
      const previous = this.#jobs.get(id);
      if (!previous || job.seq >= previous.seq) this.#jobs.set(id, job);
      this.#viewStale = true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#errors.set(id, fill(this.#text.controlFailed, { control: this.#text.control[control], message }));
    } finally {
      this.#pending.delete(id);
      this.#renderNow();
    }
  }

  /** Sorting by the current key again reverses the direction. */
  #sortBy(key: SortKey): void {
    this.sortDirection = this.sortKey === key && this.sortDirection === 'ascending' ? 'descending' : 'ascending';
    this.sortKey = key;
  }

  // ---- rendering ------------------------------------------------------------------------

  // Inline styles are bound to the `style` property (CSSOM), which a strict CSP allows.
  protected override render(): TemplateResult {
    const labels = this.#text;
    const format = formatterFor(this.#locale);
    return html`<div class="base" part="base" .style=${`--_row-height:${this.rowHeight}px`}>
      ${this.#renderSummary(labels, format)} ${this.#renderToolbar(labels)}
      <div
        class="table"
        part="table"
        role="table"
        aria-label=${labels.board}
        aria-rowcount=${this.#view.length + 1}
        @scroll=${this.#onScroll}
      >
        ${this.#renderHeader(labels)}
        <div
          class="body"
          role="rowgroup"
          .style=${`block-size:${Math.max(this.#tops[this.#view.length]!, this.rowHeight)}px`}
          @keydown=${this.#onBodyKeydown}
          @click=${this.#onBodyClick}
          @focusin=${this.#onFocusIn}
        >
          ${this.#view.length === 0 ? this.#renderEmpty(labels) : this.#renderRows(labels, format)}
        </div>
      </div>
      ${this.#announcer.render()}
    </div>`;
  }

  #renderSummary(labels: Labels, format: Formatter): TemplateResult {
    const { total, byStatus, percent } = this.#summary;
    return html`<div class="summary" part="summary">
      <span class="title">${labels.board}</span>
      <span>${fill(labels.summary, { count: format.number(total) })}</span>
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
          valueText: percent === null ? '' : format.percent(percent),
          tone: 'active',
          moving: false,
        })}
        <span>${percent === null ? nothing : format.percent(percent)}</span>
      </div>
      ${this.#hubError ? html`<p class="error" part="error" role="alert">${this.#hubError}</p>` : nothing}
    </div>`;
  }

  #renderToolbar(labels: Labels): TemplateResult {
    return html`<div class="toolbar" part="toolbar">
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
          <option value="" ?selected=${this.statusFilter === null}>${labels.allStatuses}</option>
          ${STATUSES.map(
            (status) => html`<option value=${status} ?selected=${this.statusFilter === status}>
              ${labels.status[status]} (${this.#summary.byStatus.get(status) ?? 0})
            </option>`,
          )}
        </select>
      </label>
      <label>
        ${labels.sortBy}
        <select part="sort" @change=${(event: Event) => (this.sortKey = (event.target as HTMLSelectElement).value as SortKey)}>
          ${SORT_KEYS.map((key) => html`<option value=${key} ?selected=${this.sortKey === key}>${labels[SORT_LABELS[key]]}</option>`)}
        </select>
      </label>
      <button part="button" class="direction" @click=${() => this.#sortBy(this.sortKey)}>
        ${this.sortDirection === 'ascending' ? labels.sortAscending : labels.sortDescending}
      </button>
    </div>`;
  }

  #renderHeader(labels: Labels): TemplateResult {
    return html`<div class="head" role="rowgroup">
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
    </div>`;
  }

  #renderEmpty(labels: Labels): TemplateResult {
    const text = this.#hubController.settled ? labels.noMatches : labels.connecting;
    return html`<div class="row" role="row" aria-rowindex="2">
      <div class="cell empty" role="cell">${text}</div>
    </div>`;
  }

  #renderRows(labels: Labels, format: Formatter): unknown {
    const visibleHeight = (this.#viewportHeight || this.rowHeight * 10) - this.#headerHeight;
    const [start, end] = visibleRange(this.#tops, this.#scrollOffset, visibleHeight, OVERSCAN);
    const indexes: number[] = [];
    for (let index = start; index < end; index++) indexes.push(index);
    // The focusable row stays in the DOM even when scrolled away, or keyboard focus would be lost.
    const activeIndex = this.#activeId ? this.#view.findIndex((job) => job.id === this.#activeId) : -1;
    if (activeIndex >= 0 && (activeIndex < start || activeIndex >= end)) {
      indexes.push(activeIndex);
      indexes.sort((a, b) => a - b);
    }
    return repeat(
      indexes,
      (index) => this.#view[index]!.id,
      (index) => this.#renderRow(this.#view[index]!, index, labels, format),
    );
  }

  #renderRow(job: Job, index: number, labels: Labels, format: Formatter): TemplateResult {
    const expanded = this.#expanded.has(job.id);
    const active = job.id === this.#activeId;
    const confirming = this.#confirming?.id === job.id ? this.#confirming.control : null;
    const pending = this.#pending.get(job.id) ?? null;
    const error = this.#errors.get(job.id) ?? null;
    return html`<div
      class="row"
      part="row"
      role="row"
      data-id=${job.id}
      data-status=${job.status}
      ?data-active=${active}
      aria-rowindex=${index + 2}
      tabindex=${active ? 0 : -1}
      .style=${`transform:translateY(${this.#tops[index]}px);block-size:${this.#tops[index + 1]! - this.#tops[index]!}px`}
    >
      ${guard([job, expanded, active, confirming, pending, error, labels, format], () =>
        this.#renderCells(job, { expanded, active, confirming, pending, error }, labels, format),
      )}
    </div>`;
  }

  #renderCells(
    job: Job,
    row: { expanded: boolean; active: boolean; confirming: Control | null; pending: Control | null; error: string | null },
    labels: Labels,
    format: Formatter,
  ): TemplateResult {
    const name = jobName(job);
    const tone = statusTone(job.status);
    // Only the focusable row's buttons are in the tab order: Tab goes row → its controls → out.
    const tabIndex = row.active ? 0 : -1;
    const breakdownId = `breakdown-${job.id}`;
    return html`<div class="cell name-cell" part="cell" role="cell">
        <button
          class="disclosure"
          part="button"
          data-action="expand"
          tabindex=${tabIndex}
          aria-expanded=${row.expanded ? 'true' : 'false'}
          aria-controls=${row.expanded ? breakdownId : nothing}
          aria-label=${fill(labels.showTables, { name })}
        ></button>
        <span class="name-text">
          <span class="line" title=${name}>${name}</span>
          ${name === job.id ? nothing : html`<span class="line muted id">${job.id}</span>`}
        </span>
      </div>
      <div class="cell" part="cell" role="cell">${this.#renderStepper(job, name, labels, format)}</div>
      <div class="cell" part="cell" role="cell">
        ${renderProgressBar({
          percent: job.progress.percent,
          label: fill(labels.progressOf, { name }),
          valueText: progressValueText(job, labels, format),
          tone,
          moving: job.status === 'running',
        })}
        <span class="line">${job.progress.percent === null ? nothing : format.percent(job.progress.percent)}</span>
      </div>
      <div class="cell" part="cell" role="cell"><span class="line">${amountText(job.progress, labels, format)}</span></div>
      <div class="cell" part="cell" role="cell"><span class="line">${rateText(job, labels, format)}</span></div>
      <div class="cell" part="cell" role="cell"><span class="line">${etaText(job, labels, format)}</span></div>
      <div class="cell" part="cell" role="cell">
        <span class="badges">${renderBadges(job, labels)}</span>
        ${job.error ? html`<span class="line error" part="error" title=${job.error.message}>${job.error.code}: ${job.error.message}</span>` : nothing}
      </div>
      <div class="cell actions" part="cell" role="cell">${this.#renderActions(job, name, row, tabIndex, labels)}</div>
      ${row.expanded ? this.#renderBreakdown(job, breakdownId, tabIndex, labels, format) : nothing}`;
  }

  #renderStepper(job: Job, name: string, labels: Labels, format: Formatter): TemplateResult {
    const current = job.phases.findIndex((phase) => phase.name === job.phase);
    const allDone = job.status === 'completed';
    return html`<ol class="steps" part="stepper" aria-label=${fill(labels.phasePlan, { name })}>
        ${job.phases.map((phase, index) => {
          const state = allDone || index < current ? 'done' : index === current ? 'current' : 'upcoming';
          const template = state === 'done' ? labels.phaseDone : state === 'current' ? labels.phaseCurrent : labels.phaseUpcoming;
          const label = phaseLabel(job, phase.name);
          const spoken = fill(template, { phase: label }) + (phase.irreversible ? `, ${labels.irreversible}` : '');
          return html`<li class="step" part="step" data-state=${state} ?data-irreversible=${phase.irreversible} title=${spoken}>
            <span class="visually-hidden">${spoken}</span>
          </li>`;
        })}
      </ol>
      <span class="line">${stepText(job, labels, format)}</span>`;
  }

  #renderActions(
    job: Job,
    name: string,
    row: { confirming: Control | null; pending: Control | null; error: string | null },
    tabIndex: number,
    labels: Labels,
  ): TemplateResult {
    if (row.confirming) {
      const control = labels.control[row.confirming];
      const prompt =
        row.confirming === 'rollback'
          ? labels.confirmRollback
          : row.confirming === 'cancel' && !pastPointOfNoReturn(job)
            ? labels.confirmCancel
            : labels.confirmIrreversible;
      const promptId = `confirm-${job.id}`;
      return html`<div class="buttons" part="confirm" role="group" aria-labelledby=${promptId}>
          <button part="button" class="danger" data-action="confirm" tabindex=${tabIndex} aria-describedby=${promptId}>
            ${fill(labels.confirm, { control })}
          </button>
          <button part="button" data-action="dismiss" tabindex=${tabIndex}>${labels.dismiss}</button>
        </div>
        <span class="note" id=${promptId}>${fill(prompt, { control, name })}</span>`;
    }
    // Pause and resume share one place: only the one that applies is offered. Controls the
    // token does not grant are not offered at all.
    const hidden = job.controls.includes('resume') ? 'pause' : 'resume';
    const granted = this.#hubController.connection?.grantedControls ?? [];
    return html`<div class="buttons" role="group" aria-label=${fill(labels.controlsOf, { name })}>
        ${BOARD_CONTROLS.filter((control) => control !== hidden && granted.includes(control)).map((control) => {
          const busy = row.pending === control;
          return html`<button
            part="button"
            class=${control === 'cancel' || control === 'rollback' ? 'danger' : ''}
            data-action="control"
            data-control=${control}
            tabindex=${tabIndex}
            ?disabled=${!job.controls.includes(control)}
            aria-disabled=${row.pending ? 'true' : 'false'}
            aria-busy=${busy ? 'true' : 'false'}
          >
            ${labels.control[control]}
          </button>`;
        })}
      </div>
      ${row.error ? html`<span class="note error" part="error" role="alert" title=${row.error}>${row.error}</span>` : nothing}`;
  }

  /** The breakdown scrolls when a migration has many tables, so it takes focus for keyboard scrolling. */
  #renderBreakdown(job: Job, id: string, tabIndex: number, labels: Labels, format: Formatter): TemplateResult {
    return html`<div class="cell breakdown" part="cell breakdown" role="cell" id=${id} aria-label=${labels.tables} tabindex=${tabIndex}>
      ${job.scopes.length === 0
        ? html`<span class="muted">${labels.noTables}</span>`
        : html`<ul class="scopes" aria-label=${fill(labels.showTables, { name: jobName(job) })}>
            ${job.scopes.map((scope) => {
              const amount = amountText(scope, labels, format) ?? format.number(0);
              return html`<li>
                <span class="line">${scope.name}</span>
                ${renderProgressBar({
                  percent: scope.percent,
                  label: scope.name,
                  valueText: scope.percent === null ? amount : `${format.percent(scope.percent)} · ${amount}`,
                  tone: 'active',
                  moving: false,
                })}
                <span>${amount}</span>
                <span>${scope.percent === null ? nothing : format.percent(scope.percent)}</span>
              </li>`;
            })}
          </ul>`}
    </div>`;
  }
}

defineElement('migration-board', MigrationBoard);

declare global {
  interface HTMLElementTagNameMap {
    'migration-board': MigrationBoard;
  }
}
