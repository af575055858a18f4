import { html, nothing, type TemplateResult } from 'lit';

export interface ProgressBarOptions {
  /** 0–100, or null for indeterminate progress. */
  percent: number | null;
  /** Accessible name of the bar. */
  label: string;
  /** Localised spoken value, for example "42% · 4,200 of 10,000 rows". */
  valueText: string;
  /** Colour family of the fill (see statusTone). */
  tone: string;
  /** Whether an indeterminate bar sweeps; a paused or finished job's bar stands still. */
  moving: boolean;
}

/**
 * A role="progressbar" track and fill. The fill is scaled with a transform so updates never
 * trigger layout; an indeterminate bar's fill is empty, or sweeps while moving. When
 * indeterminate, aria-valuemin/max/now are left out, as ARIA requires. Styles are set through
 * the `style` property (CSSOM), which a strict CSP allows, unlike a `style` attribute.
 */
export function renderProgressBar({ percent, label, valueText, tone, moving }: ProgressBarOptions): TemplateResult {
  const determinate = percent !== null;
  const sweeping = !determinate && moving;
  return html`<div
    class="track"
    part="track"
    role="progressbar"
    aria-label=${label}
    aria-valuemin=${determinate ? 0 : nothing}
    aria-valuemax=${determinate ? 100 : nothing}
    aria-valuenow=${determinate ? Math.round(percent) : nothing}
    aria-valuetext=${valueText || nothing}
  ><div
    class=${sweeping ? 'fill indeterminate' : 'fill'}
    part="fill"
    data-tone=${tone}
    .style=${sweeping ? '' : `transform:scaleX(${(percent ?? 0) / 100})`}
  ></div></div>`;
}
