import { css } from 'lit';

/** Follows the shared `hostStyles`, which isolate the element (`all: initial`) and define the tokens. */
export const connectionIndicatorStyles = css`
  :host {
    display: inline-flex;
    align-items: center;
    gap: var(--_space);
    vertical-align: middle;
    background: transparent;
    --_dot-size: var(--jobcast-indicator-dot-size, 0.625em);
  }

  .base {
    display: inline-flex;
    align-items: center;
    gap: calc(var(--_space) * 0.75);
    white-space: nowrap;
  }

  .dot {
    flex: none;
    inline-size: var(--_dot-size);
    block-size: var(--_dot-size);
    box-sizing: border-box;
    border-radius: 50%;
    background: var(--_muted);
    border: 2px solid transparent;
  }

  .dot[data-tone='live'] {
    background: var(--_success);
  }
  /* Working, but degraded: a ring instead of a disc, so it does not rely on colour alone. */
  .dot[data-tone='fallback'] {
    background: transparent;
    border-color: var(--_success);
  }
  .dot[data-tone='stale'] {
    background: var(--_warning);
  }
  .dot[data-tone='reconnecting'] {
    background: var(--_warning);
  }
  .dot[data-tone='offline'] {
    background: transparent;
    border-color: var(--_danger);
  }
  .dot[data-tone='connecting'],
  .dot[data-tone='reconnecting'] {
    animation: pulse var(--_duration) ease-in-out infinite;
  }

  @keyframes pulse {
    50% {
      opacity: 0.3;
    }
  }

  .stale,
  .latency {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .stale {
    color: var(--_warning);
  }

  button {
    font-size: 0.9em;
  }

  :host([compact]) .label,
  :host([compact]) .stale,
  :host([compact]) .latency,
  :host([compact]) button {
    display: none;
  }

  @media (prefers-reduced-motion: reduce) {
    .dot[data-tone] {
      animation: none;
    }
  }

  @media (forced-colors: active) {
    .dot,
    .dot[data-tone] {
      forced-color-adjust: none;
      background: CanvasText;
      border-color: CanvasText;
    }
    .dot[data-tone='fallback'],
    .dot[data-tone='offline'],
    .dot[data-tone='connecting'] {
      background: Canvas;
    }
    .stale {
      color: CanvasText;
    }
  }
`;
