import type { Job, JobEvent } from "../../protocol/index.ts";
import type { Mutator } from "../engine.ts";
import { buildEvent } from "../shared.ts";

/** A mutate call waiting to be written. */
export interface QueuedChange {
  mutator: Mutator;
  /** A progress sample that may be merged into the next one. */
  coalesce: boolean;
  resolve(event: JobEvent | undefined): void;
  reject(error: unknown): void;
}

/** An event to store and the calls it answers (several when progress samples were merged). */
interface Draft {
  event: JobEvent;
  changes: QueuedChange[];
  mergeable: boolean;
}

export interface Fold {
  /** Events to store, in order, with offset 0 until they are appended. */
  events: JobEvent[];
  /** Settles every change once the events are committed (their offsets filled in). */
  settle(): void;
}

/**
 * Applies one job's queued changes in call order to its current state, as if each were its own
 * transaction, but keeps only the newest of consecutive progress samples: each event carries the
 * whole job state, so a superseded sample adds nothing. Every other event is kept, in order.
 * A change whose mutator throws is refused alone; the others still apply.
 */
export function foldChanges(current: Job | undefined, changes: readonly QueuedChange[]): Fold {
  const drafts: Draft[] = [];
  const unchanged: QueuedChange[] = [];
  const refused: { change: QueuedChange; error: unknown }[] = [];
  let job = current;
  for (const change of changes) {
    if (!job) {
      unchanged.push(change);
      continue;
    }
    let result;
    try {
      result = change.mutator(job);
    } catch (error) {
      refused.push({ change, error });
      continue;
    }
    if (!result) {
      unchanged.push(change);
      continue;
    }
    const mergeable = change.coalesce && result.event.kind === "progress";
    const last = drafts.at(-1);
    if (mergeable && last?.mergeable) {
      last.event = buildEvent(last.event.seq - 1, 0, result.job, result.event);
      last.changes.push(change);
    } else {
      drafts.push({ event: buildEvent(job.seq, 0, result.job, result.event), changes: [change], mergeable });
    }
    job = drafts.at(-1)!.event.job;
  }
  return {
    events: drafts.map((draft) => draft.event),
    settle() {
      for (const draft of drafts) for (const change of draft.changes) change.resolve(draft.event);
      for (const change of unchanged) change.resolve(undefined);
      for (const { change, error } of refused) change.reject(error);
    },
  };
}
