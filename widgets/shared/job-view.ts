import type { Job, JobStatus, Progress } from '../../server/protocol/job.ts';
import type { Formatter } from './format.ts';
import { fill, type Labels } from './labels.ts';

// Mirrors TERMINAL_STATUSES in server/protocol: widgets import only types from there.
const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled', 'rolled_back']);

export const isTerminal = (status: JobStatus): boolean => TERMINAL.has(status);

/** A colour family per status, used as a `data-tone` attribute by the shared badge styles. */
export function statusTone(status: JobStatus): 'neutral' | 'active' | 'warning' | 'success' | 'danger' {
  switch (status) {
    case 'running':
      return 'active';
    case 'paused':
    case 'cancelling':
    case 'rolling_back':
      return 'warning';
    case 'completed':
      return 'success';
    case 'failed':
      return 'danger';
    default:
      return 'neutral';
  }
}

/** What people call the job: its `name` label when it has one, otherwise its id. */
export const jobName = (job: Job): string => job.labels['name'] ?? job.id;

export const isWorkerLost = (job: Job): boolean => job.status === 'failed' && job.error?.code === 'worker_lost';

export function phaseLabel(job: Job, phaseName: string): string {
  return job.phases.find((phase) => phase.name === phaseName)?.label ?? phaseName;
}

/** "Copying · 3 of 6", or just the phase name when the job declares no phase plan. */
export function stepText(job: Job, labels: Labels, format: Formatter): string | null {
  if (!job.phase) return null;
  const index = job.phases.findIndex((phase) => phase.name === job.phase);
  const label = phaseLabel(job, job.phase);
  if (index < 0) return label;
  return fill(labels.step, {
    phase: label,
    index: format.number(index + 1),
    count: format.number(job.phases.length),
  });
}

/** "4,200 of 10,000 rows", or "4,200 rows" when the total is unknown. Takes a job's progress or a scope. */
export function amountText(
  amount: Pick<Progress, 'current' | 'total' | 'unit'>,
  labels: Labels,
  format: Formatter,
): string | null {
  const { current, total, unit } = amount;
  if (total === null) {
    if (current === 0) return null;
    return unit ? fill(labels.amountSoFar, { current: format.number(current), unit }) : format.number(current);
  }
  const values = { current: format.number(current), total: format.number(total), unit: unit ?? '' };
  return fill(unit ? labels.amountWithUnit : labels.amount, values);
}

export function rateText(job: Job, labels: Labels, format: Formatter): string | null {
  const { rate, unit } = job.progress;
  if (rate === null || isTerminal(job.status)) return null;
  return fill(unit ? labels.rateWithUnit : labels.rate, { rate: format.number(rate), unit: unit ?? '' });
}

export function etaText(job: Job, labels: Labels, format: Formatter): string | null {
  const { etaSeconds } = job.progress;
  if (etaSeconds === null || job.status !== 'running') return null;
  return fill(labels.eta, { duration: format.duration(etaSeconds) });
}

export function elapsedSeconds(job: Job, now: number): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}

/** The progressbar's spoken value: "42% · Copying · 3 of 6 · 4,200 of 10,000 rows". */
export function progressValueText(job: Job, labels: Labels, format: Formatter): string {
  const parts = [
    job.progress.percent === null ? null : format.percent(job.progress.percent),
    stepText(job, labels, format),
    amountText(job.progress, labels, format),
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' · ') : labels.status[job.status];
}

/**
 * The sentence to announce when a job passes a milestone (status or phase change), or null for
 * everything else, so progress ticks are never announced.
 */
export function milestoneText(previous: Job | undefined, next: Job, labels: Labels): string | null {
  if (!previous || previous.id !== next.id) return null;
  const name = jobName(next);
  if (previous.status !== next.status) {
    if (next.status === 'failed') {
      return fill(labels.failedWith, { name, message: next.error?.message ?? labels.status.failed });
    }
    return fill(labels.statusChanged, { name, status: labels.status[next.status] });
  }
  if (previous.phase !== next.phase && next.phase) {
    return fill(labels.phaseChanged, { name, phase: phaseLabel(next, next.phase) });
  }
  return null;
}
