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
 *
 * A `data-tone` attribute (see statusTone) sets `--_tone` to its colour family; the bar's fill and
 * the badges read it.
 */
export const hostStyles = css`
  /* \`all: initial\` on the host and again on the element's own root: a page rule such as
     \`* { color: red; visibility: hidden }\` matches the host and beats \`:host\`, but cannot reach
     inside, so nothing inherited from the page survives past the root. Custom properties and
     direction are not reset by \`all\`: the tokens below and the page's direction still apply. */
  :host,
  .base {
    all: initial;
    display: block;
    color-scheme: var(--jobcast-color-scheme, light dark);
    font: var(--jobcast-font-size, 14px) / 1.4 var(--jobcast-font-family, system-ui, sans-serif);
    color: var(--_text);
  }

  :host {
    --_text: var(--jobcast-text-color, light-dark(#1f2328, #e6edf3));
    --_muted: var(--jobcast-muted-color, light-dark(#59636e, #9198a1));
    --_surface: var(--jobcast-surface, light-dark(#fff, #0d1117));
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
    background: var(--_surface);
  }

  :host([hidden]) {
    display: none;
  }

  @media (prefers-reduced-motion: reduce) {
    :host {
      --_duration: calc(var(--jobcast-animation-duration, 1.4s) * 4);
    }
  }

  [data-tone=active] {
    --_tone: var(--_accent);
  }
  [data-tone=warning] {
    --_tone: var(--_warning);
  }
  [data-tone=success] {
    --_tone: var(--_success);
  }
  [data-tone=danger] {
    --_tone: var(--_danger);
  }
  [data-tone=neutral] {
    --_tone: var(--_muted);
  }

  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
`;

/**
 * The progress bar: a track with a fill scaled along the inline axis (a transform, not layout).
 * Right to left, the whole track is mirrored, so the fill and the sweep need no second version.
 */
export const barStyles = css`
  .track {
    position: relative;
    overflow: hidden;
    block-size: var(--_bar-height);
    border-radius: calc(var(--_bar-height) / 2);
    background: var(--_track);
  }

  :host(:dir(rtl)) .track {
    scale: -1 1;
  }

  .fill {
    position: absolute;
    inset: 0;
    background: var(--_tone, var(--_accent));
    transform-origin: left;
    transition: transform 0.3s ease-out;
    will-change: transform;
  }

  /* Physical sides suffice: right to left, the mirrored track turns them around. */
  .indeterminate {
    right: auto;
    width: 40%;
    transition: none;
    animation: sweep var(--_duration) ease-in-out infinite;
  }

  @keyframes sweep {
    from {
      transform: translateX(-100%);
    }
    to {
      transform: translateX(250%);
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
    .fill {
      background: Highlight;
    }
  }
`;

/** Status badges, coloured by their `data-tone`. */
export const badgeStyles = css`
  .badge {
    display: inline-flex;
    align-items: center;
    padding: 0.05em 0.5em;
    border: 1px solid;
    border-radius: 999px;
    font-size: 0.8em;
    font-weight: 600;
    white-space: nowrap;
    color: var(--_tone, var(--_muted));
  }

  @media (forced-colors: active) {
    .badge {
      color: CanvasText;
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
    padding: 0.2em 0.7em;
    cursor: pointer;
  }
  button:hover:not(:disabled, [aria-disabled=true]) {
    border-color: var(--_accent);
  }
  button:is(:disabled, [aria-disabled=true]) {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button[aria-busy=true] {
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
    button:is(:disabled, [aria-disabled=true]) {
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
