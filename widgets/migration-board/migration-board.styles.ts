import { css } from 'lit';

export const migrationBoardStyles = css`
  .base {
    display: flex;
    flex-direction: column;
    gap: var(--_space);
  }

  .summary,
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space) calc(var(--_space) * 2);
  }

  .title {
    font-size: 1.15em;
    font-weight: 700;
  }

  .counts {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
    font-variant-numeric: tabular-nums;
  }

  .overall {
    display: flex;
    align-items: center;
    gap: var(--_space);
    flex: 1 1 12rem;
    min-inline-size: 12rem;
  }

  .overall .track {
    flex: 1;
  }

  label {
    display: inline-flex;
    align-items: center;
    gap: calc(var(--_space) / 2);
  }

  input,
  select {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.2em 0.5em;
  }

  ul,
  ol {
    margin: 0;
    padding: 0;
    list-style: none;
  }

  /* The table is its own scroll container so the sticky header and the rows share columns. */
  .table {
    block-size: var(--jobcast-board-height, 32rem);
    overflow: auto;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overscroll-behavior: contain;
    /* The rows' minimum width scrolls inside the table instead of widening the page's layout. */
    contain: inline-size;
    /* A row scrolled into view is not left under the sticky header: its cells' height and padding, and its border. */
    scroll-padding-block-start: calc(2.5rem + 0.5em + 1px);
  }

  /* The sum of the columns' minimum widths. */
  .head,
  .body {
    position: relative;
    min-inline-size: 74.5rem;
  }

  .head {
    position: sticky;
    inset-block-start: 0;
    z-index: 1;
    background: var(--_surface);
    border-block-end: 1px solid var(--_border);
    font-weight: 600;
    color: var(--_muted);
  }

  /*
   * Name, records, rate and status fit "orders_db → orders_db_v2", "1,797,000 of 1,797,000 rows",
   * "68,440 rows/s" and a "Throttled: replica lag 2.3 s" badge.
   */
  .row {
    display: grid;
    grid-template-columns: minmax(12rem, 1.4fr) minmax(8rem, 1fr) minmax(7rem, 1fr) 13.5rem 7.5rem 5.5rem 9.5rem 11.5rem;
  }

  .sort {
    all: unset;
    cursor: pointer;
    display: inline-flex;
    gap: 0.25em;
  }

  .sort:focus-visible {
    outline: 2px solid var(--_focus);
  }

  [aria-sort$='ing'] .sort::after {
    content: '▲';
    font-size: 0.7em;
  }

  [aria-sort='descending'] .sort::after {
    content: '▼';
  }

  /* Each row is rendered into a box of its own, which takes no part in the layout. */
  .body > div {
    display: contents;
  }

  /* The breakdown's height is BREAKDOWN_HEIGHT in migration-board.ts. */
  .body .row {
    position: absolute;
    inset: 0 0 auto;
    grid-template-rows: 1fr;
    grid-auto-rows: 168px;
    border-block-end: 1px solid var(--_border);
    background: var(--_surface);
    contain: layout paint style;
  }

  .body .row:focus-visible {
    outline-offset: -2px;
  }

  .body .row[data-active] {
    background: color-mix(in srgb, var(--_accent) 6%, var(--_surface));
  }

  .cell {
    display: flex;
    flex-direction: column;
    justify-content: center;
    gap: 0.2em;
    min-inline-size: 0;
    padding: 0.25em var(--_space);
    overflow: hidden;
    font-variant-numeric: tabular-nums;
  }

  .head .cell {
    block-size: 2.5rem;
  }

  .line {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .name {
    flex-direction: row;
    align-items: center;
    justify-content: start;
  }

  .name > span {
    display: grid;
    min-inline-size: 0;
  }

  .id {
    font-size: 0.8em;
  }

  .disclosure {
    flex: none;
    inline-size: 1.75rem;
    block-size: 1.75rem;
    padding: 0;
  }

  /* A chevron pointing to the inline end, or down when expanded; mirrored right to left. */
  .disclosure::before {
    content: '';
    display: inline-block;
    inline-size: 0.45em;
    block-size: 0.45em;
    border: solid;
    border-width: 0 2px 2px 0;
    transform: rotate(-45deg);
    transition: transform 0.15s;
  }

  :host(:dir(rtl)) .disclosure::before {
    scale: -1 1;
  }

  .disclosure[aria-expanded='true']::before {
    transform: rotate(45deg);
  }

  .steps {
    display: flex;
    gap: 2px;
  }

  .steps li {
    position: relative;
    flex: 1;
    block-size: 0.4rem;
    border-radius: 2px;
    background: var(--_track);
  }

  .steps [data-state='done'] {
    background: var(--_success);
  }

  .steps [data-state='current'] {
    background: var(--_accent);
  }

  /* The point of no return: a marker on the irreversible phase's inline-start edge. */
  [data-irreversible]::before {
    content: '';
    position: absolute;
    inset-block: -0.25rem;
    inset-inline-start: -2px;
    inline-size: 2px;
    background: var(--_danger);
  }

  .badges {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em;
  }

  .badges .badge {
    max-inline-size: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
  }

  .buttons {
    display: flex;
    gap: 0.25em;
  }

  .actions button {
    padding-inline: 0.45em;
    font-size: 0.9em;
    white-space: nowrap;
  }

  .note {
    font-size: 0.8em;
    display: -webkit-box;
    -webkit-line-clamp: 2;
    -webkit-box-orient: vertical;
    overflow: hidden;
  }

  .breakdown {
    grid-column: 1 / -1;
    justify-content: start;
    overflow: auto;
    border-block-start: 1px dashed var(--_border);
  }

  .breakdown ul {
    display: grid;
    grid-template-columns: minmax(8rem, 14rem) minmax(8rem, 1fr) auto auto;
    align-items: center;
    gap: 0.3em var(--_space);
  }

  .breakdown li {
    display: contents;
  }

  .empty {
    grid-column: 1 / -1;
    padding: calc(var(--_space) * 2);
    color: var(--_muted);
  }

  @media (forced-colors: active) {
    .steps li {
      border: 1px solid CanvasText;
    }
    .steps [data-state='done'],
    .steps [data-state='current'] {
      background: Highlight;
    }
    [data-irreversible]::before {
      background: CanvasText;
    }
    .body .row[data-active] {
      outline: 1px solid Highlight;
    }
  }
`;
