import { css } from 'lit';

/**
 * Follows the shared `hostStyles`, which isolate the element (`all: initial`) and define the tokens.
 * The dot takes its tone's colour as `color`, filling it as a disc or only its border as a ring.
 */
export const connectionIndicatorStyles = css`
  :host {
    display: inline-flex;
    align-items: center;
    gap: var(--_space);
    vertical-align: middle;
    background: transparent;
  }

  .base {
    display: inline-flex;
    align-items: center;
    gap: calc(var(--_space) * 0.75);
    white-space: nowrap;
  }

  .dot {
    flex: none;
    inline-size: var(--jobcast-indicator-dot-size, 0.625em);
    aspect-ratio: 1;
    box-sizing: border-box;
    border: 2px solid;
    border-radius: 50%;
    color: var(--_muted);
    background: currentColor;
  }
  [data-tone='live'],
  [data-tone='fallback'] {
    color: var(--_success);
  }
  [data-tone='stale'],
  [data-tone='reconnecting'],
  .stale {
    color: var(--_warning);
  }
  [data-tone='offline'] {
    color: var(--_danger);
  }
  /* Working but degraded, or down: a ring instead of a disc, so it does not rely on colour alone. */
  [data-tone='fallback'],
  [data-tone='offline'] {
    background: none;
  }
  [data-tone='connecting'],
  [data-tone='reconnecting'] {
    animation: pulse var(--_duration) ease-in-out infinite;
  }

  @keyframes pulse {
    50% {
      opacity: 0.3;
    }
  }

  .latency {
    color: var(--_muted);
  }
  .stale,
  .latency,
  button {
    font-size: 0.9em;
  }

  :host([compact]) :is(.label, .stale, .latency, button) {
    display: none;
  }

  @media (prefers-reduced-motion: reduce) {
    .dot {
      animation: none;
    }
  }

  /* Forced colours replace every colour but the dot's, so a disc, a pulse and a ring stay apart. */
  @media (forced-colors: active) {
    .dot {
      forced-color-adjust: none;
      color: CanvasText;
    }
    [data-tone='connecting'] {
      background: none;
    }
  }
`;
