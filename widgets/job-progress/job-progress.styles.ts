import { css } from 'lit';

export const jobProgressStyles = css`
  .base {
    display: flex;
    flex-direction: column;
    gap: var(--_space);
    padding: calc(var(--_space) * 1.5);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }

  .header,
  .details,
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space);
  }

  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
    margin-inline-end: auto;
  }

  .details {
    gap: calc(var(--_space) / 2) calc(var(--_space) * 2);
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
  }

  .percent {
    color: var(--_text);
    font-weight: 600;
  }

  p,
  pre {
    margin: 0;
  }

  .output-label {
    display: block;
    margin-block-end: calc(var(--_space) / 2);
    color: var(--_muted);
  }

  .output-label,
  pre {
    font-size: 0.85em;
  }

  /* Forced colours drop the background that sets the output apart; a border keeps it apart. */
  pre {
    max-block-size: 12rem;
    overflow: auto;
    padding: var(--_space);
    border-radius: var(--_radius);
    background: var(--_track);
    font-family: ui-monospace, monospace;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }

  @media (forced-colors: active) {
    pre {
      border: 1px solid;
    }
  }
`;
