import type { ServerFrame } from '../../server/protocol/frames.ts';
import type { Job } from '../../server/protocol/job.ts';
import type { ChannelListener, ChannelUpdate } from './types.ts';

export interface Position {
  epoch: string;
  offset: number;
}

/** Positions look like `<epoch>:<offset>` (see server/protocol/channel.ts). */
export function parsePosition(position: string): Position | undefined {
  const match = /^(.+):(\d+)$/.exec(position);
  return match ? { epoch: match[1]!, offset: Number(match[2]) } : undefined;
}

/** The frames about one channel, from either transport. */
export type ChannelFrame =
  | Extract<ServerFrame, { op: 'subscribed' | 'event' }>
  | { op: 'error'; code: string; message: string };

let lastId = 0;

/**
 * What the client knows about one channel: the latest state of each of its jobs, the position to
 * resume from, and the listeners. Positions make replays idempotent: an event at or before the
 * last delivered offset of the same epoch is a duplicate (a replay overlapping what was already
 * seen, or the same event arriving on two transports while switching).
 */
export class ChannelState {
  readonly listeners = new Set<ChannelListener>();
  /** The frame id of this channel's subscribes, so an `error` frame can be traced to it. */
  readonly id = ++lastId;
  /**
   * Where the channel is: the epoch and offset of its last snapshot or delivered event (no epoch
   * before the first snapshot).
   */
  epoch: string | undefined;
  offset = 0;
  /** The hub's refusal of the channel, until a snapshot replaces it. */
  error: Extract<ChannelUpdate, { type: 'error' }> | undefined;
  #jobsById = new Map<string, Job>();

  constructor(readonly channel: string) {}

  /** The position to send when (re)subscribing. */
  get resumePosition(): string | undefined {
    return this.epoch && `${this.epoch}:${this.offset}`;
  }

  jobs(): Job[] {
    return [...this.#jobsById.values()];
  }

  /** Adds a listener; one joining a channel already open gets its current state in a microtask. */
  add(listener: ChannelListener): void {
    if (this.epoch || this.error) {
      queueMicrotask(() => this.listeners.has(listener) && listener(this.error ?? this.#snapshot(false)));
    }
    this.listeners.add(listener);
  }

  /**
   * Applies a frame and tells the listeners, except about a duplicate event.
   *
   * A recovered snapshot continues the state the client already had, so it merges (newest job
   * by `seq` wins) and the replay that follows fills in the missed events. Anything else, a
   * first snapshot or `recovered: false`, replaces the state: merging there could keep jobs or
   * values the hub no longer has.
   */
  receive(frame: ChannelFrame): void {
    const { channel } = this;
    let update: ChannelUpdate;
    if (frame.op === 'error') {
      update = this.error = { type: 'error', channel, code: frame.code, message: frame.message };
    } else {
      const position = parsePosition(frame.pos)!;
      const sameEpoch = position.epoch === this.epoch;
      if (frame.op === 'event') {
        if (sameEpoch && position.offset <= this.offset) return;
        Object.assign(this, position);
        this.#keepNewest(frame.event.job);
        update = { type: 'event', channel, event: frame.event };
      } else {
        const recovered = frame.recovered && sameEpoch;
        if (!recovered) {
          this.#jobsById.clear();
          Object.assign(this, position);
        }
        for (const job of [frame.snapshot].flat()) this.#keepNewest(job);
        this.error = undefined;
        update = this.#snapshot(recovered);
      }
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(update);
      } catch (error) {
        // One failing listener must not starve the others, nor break the connection.
        reportError(error);
      }
    }
  }

  #snapshot(recovered: boolean): ChannelUpdate {
    return { type: 'snapshot', channel: this.channel, jobs: this.jobs(), recovered };
  }

  /** Replayed events may be older than the snapshot they follow; state never goes back. */
  #keepNewest(job: Job): void {
    const known = this.#jobsById.get(job.id);
    if (!known || job.seq >= known.seq) this.#jobsById.set(job.id, job);
  }
}
