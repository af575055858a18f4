import type { Job, JobStatus, Progress } from '../../server/protocol/job.ts';
import type { Formatter } from './format.ts';
import { fill, type Labels } from './labels.ts';

// Mirrors TERMINAL_STATUSES in server/protocol: widgets import only types from there.
const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled', 'rolled_back']);

export const isTerminal = (status: JobStatus): boolean => TERMINAL.has(status);

type Tone = 'neutral' | 'active' | 'warning' | 'success' | 'danger';

/** Statuses not listed here are neutral. */
const TONES: Partial<Record<JobStatus, Tone>> = {
  running: 'active',
  paused: 'warning',
  cancelling: 'warning',
  rolling_back: 'warning',
  completed: 'success',
  failed: 'danger',
};

/** A colour family per status, used as a `data-tone` attribute by the shared badge and bar styles. */
export const statusTone = (status: JobStatus): Tone => TONES[status] ?? 'neutral';

/** What people call the job: its `name` label when it has one, otherwise its id. */
export const jobName = (job: Job): string => job.labels['name'] ?? job.id;

export const isWorkerLost = (job: Job): boolean => job.status === 'failed' && job.error?.code === 'worker_lost';

export const phaseLabel = (job: Job, phaseName: string): string =>
  job.phases.find((phase) => phase.name === phaseName)?.label ?? phaseName;

/** "Copying · 3 of 6", or just the phase name when the job declares no phase plan. */
export function stepText(job: Job, labels: Labels, format: Formatter): string | null {
  if (!job.phase) return null;
  const index = job.phases.findIndex((phase) => phase.name === job.phase);
  const phase = phaseLabel(job, job.phase);
  return index < 0 ? phase : fill(labels.step, { phase, index: format.number(index + 1), count: format.number(job.phases.length) });
}

/** "4,200 of 10,000 rows", or "4,200 rows" when the total is unknown. Takes a job's progress or a scope. */
export function amountText(
  { current, total, unit }: Pick<Progress, 'current' | 'total' | 'unit'>,
  labels: Labels,
  format: Formatter,
): string | null {
  if (total === null && current === 0) return null;
  const template = total === null ? (unit ? labels.amountSoFar : '{current}') : unit ? labels.amountWithUnit : labels.amount;
  return fill(template, { current: format.number(current), total: format.number(total ?? 0), unit: unit ?? '' });
}

export function rateText(job: Job, labels: Labels, format: Formatter): string | null {
  const { rate, unit } = job.progress;
  if (rate === null || isTerminal(job.status)) return null;
  return fill(unit ? labels.rateWithUnit : labels.rate, { rate: format.number(rate), unit: unit ?? '' });
}

export function etaText(job: Job, labels: Labels, format: Formatter): string | null {
  const { etaSeconds } = job.progress;
  return etaSeconds === null || job.status !== 'running' ? null : fill(labels.eta, { duration: format.duration(etaSeconds) });
}

export function elapsedSeconds(job: Job, now: number): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}

/** The progressbar's spoken value: "42% · Copying · 3 of 6 · 4,200 of 10,000 rows", else the status. */
export function progressValueText(job: Job, labels: Labels, format: Formatter): string {
  const { percent } = job.progress;
  const parts = [percent === null ? null : format.percent(percent), stepText(job, labels, format), amountText(job.progress, labels, format)];
  return parts.filter(Boolean).join(' · ') || labels.status[job.status];
}

/**
 * The sentence to announce when a job passes a milestone (status or phase change), or null for
 * everything else, so progress ticks are never announced.
 */
export function milestoneText(previous: Job | undefined, next: Job, labels: Labels): string | null {
  if (previous?.id !== next.id) return null;
  const name = jobName(next);
  if (previous.status !== next.status) {
    return next.status === 'failed'
      ? fill(labels.failedWith, { name, message: next.error?.message ?? labels.status.failed })
      : fill(labels.statusChanged, { name, status: labels.status[next.status] });
  }
  return previous.phase !== next.phase && next.phase ? fill(labels.phaseChanged, { name, phase: phaseLabel(next, next.phase) }) : null;
}
