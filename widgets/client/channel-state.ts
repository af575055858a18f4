import type { Job, JobEvent } from '../../server/protocol/job.ts';
import type { ChannelListener, ChannelUpdate } from './types.ts';

/** Positions look like `<epoch>:<offset>` (see server/protocol/channel.ts). */
export function parsePosition(position: string): { epoch: string; offset: number } | undefined {
  const separator = position.lastIndexOf(':');
  if (separator <= 0) return undefined;
  const offset = Number(position.slice(separator + 1));
  return Number.isSafeInteger(offset) ? { epoch: position.slice(0, separator), offset } : undefined;
}

/**
 * What the client knows about one channel: the latest state of each of its jobs, the position to
 * resume from, and the listeners. Positions make replays idempotent: an event at or before the
 * last delivered offset of the same epoch is a duplicate (a replay overlapping what was already
 * seen, or the same event arriving on two transports while switching).
 */
export class ChannelState {
  readonly listeners = new Set<ChannelListener>();
  /** Resume position to send when (re)subscribing; undefined before the first snapshot. */
  resumePosition: string | undefined;
  hasSnapshot = false;
  error: { code: string; message: string } | null = null;
  #jobsById = new Map<string, Job>();
  #epoch: string | undefined;
  #deliveredOffset = 0;

  constructor(readonly channel: string) {}

  jobs(): Job[] {
    return [...this.#jobsById.values()];
  }

  /**
   * A recovered snapshot continues the state the client already had, so it merges (newest job
   * by `seq` wins) and the replay that follows fills in the missed events. Anything else, a
   * first snapshot or `recovered: false`, replaces the state: merging there could keep jobs or
   * values the hub no longer has.
   */
  applySnapshot(snapshot: Job | Job[], recovered: boolean, position: string): ChannelUpdate {
    const incoming = Array.isArray(snapshot) ? snapshot : [snapshot];
    const parsed = parsePosition(position);
    const continues = recovered && this.hasSnapshot && parsed !== undefined && parsed.epoch === this.#epoch;
    if (continues) {
      for (const job of incoming) this.#keepNewest(job);
    } else {
      this.#jobsById = new Map(incoming.map((job) => [job.id, job]));
      this.#epoch = parsed?.epoch;
      this.#deliveredOffset = parsed?.offset ?? 0;
      this.resumePosition = position;
    }
    this.hasSnapshot = true;
    this.error = null;
    return { type: 'snapshot', channel: this.channel, jobs: this.jobs(), recovered: continues };
  }

  /** Returns null for a duplicate, which must not reach listeners. */
  applyEvent(position: string, event: JobEvent): ChannelUpdate | null {
    const parsed = parsePosition(position);
    if (parsed) {
      if (parsed.epoch === this.#epoch && parsed.offset <= this.#deliveredOffset) return null;
      this.#epoch = parsed.epoch;
      this.#deliveredOffset = parsed.offset;
      this.resumePosition = position;
    }
    this.#keepNewest(event.job);
    return { type: 'event', channel: this.channel, event };
  }

  applyError(code: string, message: string): ChannelUpdate {
    this.error = { code, message };
    return { type: 'error', channel: this.channel, code, message };
  }

  /** Replayed events may be older than the snapshot they follow; state never goes back. */
  #keepNewest(job: Job): void {
    const known = this.#jobsById.get(job.id);
    if (!known || job.seq >= known.seq) this.#jobsById.set(job.id, job);
  }
}
