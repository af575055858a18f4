import { css } from 'lit';

/**
 * Design tokens. Each internal `--_x` reads a public `--jobcast-x` custom property (custom
 * properties inherit through `all: initial`, so a page themes every widget from one rule), with
 * a light/dark default picked by the user's colour-scheme preference.
 *
 * Public properties: --jobcast-color-scheme, --jobcast-font-family, --jobcast-font-size,
 * --jobcast-text-color, --jobcast-muted-color, --jobcast-surface, --jobcast-border-color,
 * --jobcast-radius, --jobcast-spacing, --jobcast-accent, --jobcast-track, --jobcast-bar-height,
 * --jobcast-success, --jobcast-warning, --jobcast-danger, --jobcast-focus-ring,
 * --jobcast-animation-duration.
 */
export const hostStyles = css`
  :host {
    all: initial;
    display: block;
    color-scheme: var(--jobcast-color-scheme, light dark);
    --_text: var(--jobcast-text-color, light-dark(#1f2328, #e6edf3));
    --_muted: var(--jobcast-muted-color, light-dark(#59636e, #9198a1));
    --_surface: var(--jobcast-surface, light-dark(#ffffff, #0d1117));
    --_border: var(--jobcast-border-color, light-dark(#d1d9e0, #3d444d));
    --_radius: var(--jobcast-radius, 6px);
    --_space: var(--jobcast-spacing, 0.5rem);
    --_accent: var(--jobcast-accent, light-dark(#0969da, #4493f8));
    --_track: var(--jobcast-track, light-dark(#e6eaef, #262c36));
    --_bar-height: var(--jobcast-bar-height, 0.5rem);
    --_success: var(--jobcast-success, light-dark(#1a7f37, #3fb950));
    --_warning: var(--jobcast-warning, light-dark(#7d5300, #d29922));
    --_danger: var(--jobcast-danger, light-dark(#d1242f, #f85149));
    --_focus: var(--jobcast-focus-ring, var(--_accent));
    --_duration: var(--jobcast-animation-duration, 1.4s);
    font-family: var(--jobcast-font-family, system-ui, sans-serif);
    font-size: var(--jobcast-font-size, 14px);
    line-height: 1.4;
    color: var(--_text);
    background: var(--_surface);
    text-align: start;
  }

  :host([hidden]) {
    display: none;
  }

  /* A page rule such as \`* { color: red }\` matches the host itself and beats \`:host\`, so every
     inherited property is set again on the element's own root, where page CSS cannot reach. */
  .base {
    font: normal 400 var(--jobcast-font-size, 14px) / 1.4 var(--jobcast-font-family, system-ui, sans-serif);
    color: var(--_text);
    text-align: start;
    text-transform: none;
    text-indent: 0;
    text-shadow: none;
    letter-spacing: normal;
    word-spacing: normal;
    white-space: normal;
    visibility: visible;
    cursor: auto;
    direction: inherit;
  }

  @media (prefers-reduced-motion: reduce) {
    :host {
      --_duration: calc(var(--jobcast-animation-duration, 1.4s) * 4);
    }
  }

  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }

  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
`;

/** The progress bar: a track with a fill scaled along the inline axis (a transform, not layout). */
export const barStyles = css`
  .track {
    position: relative;
    overflow: hidden;
    block-size: var(--_bar-height);
    border-radius: calc(var(--_bar-height) / 2);
    background: var(--_track);
  }

  .fill {
    position: absolute;
    inset: 0;
    background: var(--_accent);
    transform-origin: left center;
    transition: transform 0.3s ease-out;
    will-change: transform;
  }

  :host(:dir(rtl)) .fill {
    transform-origin: right center;
  }

  .fill[data-tone='success'] {
    background: var(--_success);
  }
  .fill[data-tone='danger'] {
    background: var(--_danger);
  }
  .fill[data-tone='warning'] {
    background: var(--_warning);
  }
  .fill[data-tone='neutral'] {
    background: var(--_muted);
  }

  .fill.indeterminate {
    inset-inline-end: auto;
    inline-size: 40%;
    transition: none;
    animation: sweep var(--_duration) ease-in-out infinite;
  }

  :host(:dir(rtl)) .fill.indeterminate {
    animation-name: sweep-rtl;
  }

  @keyframes sweep {
    from {
      transform: translateX(-100%);
    }
    to {
      transform: translateX(250%);
    }
  }

  @keyframes sweep-rtl {
    from {
      transform: translateX(100%);
    }
    to {
      transform: translateX(-250%);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .fill {
      transition-duration: 0s;
    }
  }

  @media (forced-colors: active) {
    .track {
      border: 1px solid CanvasText;
    }
    .fill,
    .fill[data-tone] {
      background: Highlight;
    }
  }
`;

/** Status badges; `data-tone` comes from statusTone(). */
export const badgeStyles = css`
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.25em;
    padding-block: 0.05em;
    padding-inline: 0.5em;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: 0.8em;
    font-weight: 600;
    white-space: nowrap;
    color: var(--_muted);
  }
  .badge[data-tone='active'] {
    color: var(--_accent);
  }
  .badge[data-tone='warning'] {
    color: var(--_warning);
  }
  .badge[data-tone='success'] {
    color: var(--_success);
  }
  .badge[data-tone='danger'] {
    color: var(--_danger);
  }

  @media (forced-colors: active) {
    .badge,
    .badge[data-tone] {
      color: CanvasText;
      border-color: CanvasText;
    }
  }
`;

export const buttonStyles = css`
  button {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding-block: 0.2em;
    padding-inline: 0.7em;
    cursor: pointer;
  }
  button:hover:not(:disabled, [aria-disabled='true']) {
    border-color: var(--_accent);
  }
  button:disabled,
  button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button[aria-busy='true'] {
    cursor: progress;
  }
  button.danger {
    color: var(--_danger);
    border-color: currentColor;
  }

  @media (forced-colors: active) {
    button {
      border-color: ButtonText;
    }
    button:disabled,
    button[aria-disabled='true'] {
      color: GrayText;
      border-color: GrayText;
      opacity: 1;
    }
  }
`;

/** Inline error and notice text. */
export const noticeStyles = css`
  .error {
    color: var(--_danger);
  }
  .muted {
    color: var(--_muted);
  }
`;
