import { html, nothing, type TemplateResult } from 'lit';
import type { Job } from '../../server/protocol/job.ts';
import { isWorkerLost, statusTone } from './job-view.ts';
import { fill, type Labels } from './labels.ts';

/**
 * A job's status badge, then the stalled, throttled and worker-lost badges that apply. The
 * throttle reason can be long, so its badge also carries it as a tooltip for when it is cut.
 */
export function renderBadges(job: Job, labels: Labels): TemplateResult {
  const throttle = job.throttle && fill(labels.throttled, { reason: job.throttle });
  return html`<span class="badge" part="badge status" data-tone=${statusTone(job.status)}>${labels.status[job.status]}</span>
    ${job.stalled ? html`<span class="badge" part="badge" data-tone="warning">${labels.stalled}</span>` : nothing}
    ${throttle ? html`<span class="badge" part="badge" data-tone="warning" title=${throttle}>${throttle}</span>` : nothing}
    ${isWorkerLost(job) ? html`<span class="badge" part="badge" data-tone="danger">${labels.workerLost}</span>` : nothing}`;
}
