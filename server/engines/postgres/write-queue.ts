import type { JobEvent } from "../../protocol/index.ts";
import type { Mutator } from "../engine.ts";
import type { QueuedChange } from "./fold.ts";

/** Writes queued changes of several jobs in one transaction; settles every change and never rejects. */
export type CommitChanges = (work: Map<string, QueuedChange[]>) => Promise<void>;

export interface WriteQueueOptions {
  /** How long progress samples gather before a batch is written. */
  flushDelayMs: number;
  /** Jobs written per batch transaction at most. */
  maxBatchJobs: number;
  /** Progress samples held at most; past it, new samples wait for a batch to be written. */
  maxPending: number;
}

/** One job's writes from this instance: samples not yet written, and the write under way. */
interface Lane {
  pending: QueuedChange[];
  busy: Promise<void> | undefined;
}

/** A call held back while samples are at their limit; calls proceed in the order they were made. */
interface Held {
  jobId: string;
  needsRoom: boolean;
  proceed(): void;
}

/**
 * Orders this instance's writes per job and batches progress samples.
 *
 * Writes of one job run one after another in call order (other instances are ordered by the row
 * lock). Progress samples wait in their job's lane and are written by a batch that covers many
 * jobs; any other change first takes the lane's pending samples with it, in the same transaction,
 * so it is never overtaken by an older sample. Only one batch runs at a time: while it runs, new
 * samples gather, so batches grow with load and more samples are merged. Past `maxPending`
 * samples, new ones are held back until a batch takes some, and so is any later change of a job
 * with held samples, so that call order is kept.
 */
export class WriteQueue {
  readonly #lanes = new Map<string, Lane>();
  readonly #commit: CommitChanges;
  readonly #options: WriteQueueOptions;
  readonly #held: Held[] = [];
  #pendingCount = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #batch: Promise<void> | undefined;

  constructor(commit: CommitChanges, options: WriteQueueOptions) {
    this.#commit = commit;
    this.#options = options;
  }

  /** Samples waiting to be written. */
  get pending(): number {
    return this.#pendingCount;
  }

  /** Jobs with a write under way or waiting. */
  get activeJobs(): number {
    return this.#lanes.size;
  }

  submit(jobId: string, mutator: Mutator): Promise<JobEvent | undefined> {
    return new Promise((resolve, reject) => {
      const proceed = () => {
        const lane = this.#lane(jobId);
        const changes = lane.pending.splice(0);
        changes.push({ mutator, coalesce: false, resolve, reject });
        const task = (lane.busy ?? Promise.resolve()).then(() => this.#commit(new Map([[jobId, changes]])));
        this.#occupy(jobId, lane, task);
        this.#taken(changes.length - 1);
      };
      if (this.#held.some((held) => held.jobId === jobId)) this.#held.push({ jobId, needsRoom: false, proceed });
      else proceed();
    });
  }

  submitSample(jobId: string, mutator: Mutator): Promise<JobEvent | undefined> {
    return new Promise((resolve, reject) => {
      const proceed = () => {
        this.#lane(jobId).pending.push({ mutator, coalesce: true, resolve, reject });
        this.#pendingCount++;
        this.#flushSoon(this.#options.flushDelayMs);
      };
      if (this.#held.length === 0 && this.#pendingCount < this.#options.maxPending) {
        proceed();
        return;
      }
      this.#held.push({ jobId, needsRoom: true, proceed });
      this.#flushSoon(0);
    });
  }

  /** Writes everything queued and waits for every write under way. */
  async drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#lanes.size > 0) {
      if (!this.#batch) this.#flush();
      const busy = [...this.#lanes.values()].map((lane) => lane.busy);
      await Promise.all([this.#batch, ...busy]);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #lane(jobId: string): Lane {
    let lane = this.#lanes.get(jobId);
    if (!lane) {
      lane = { pending: [], busy: undefined };
      this.#lanes.set(jobId, lane);
    }
    return lane;
  }

  /** Marks the lane busy with task; when it is done and nothing followed, the lane is released. */
  #occupy(jobId: string, lane: Lane, task: Promise<void>): void {
    lane.busy = task;
    task.then(() => {
      if (lane.busy !== task) return;
      lane.busy = undefined;
      if (lane.pending.length > 0) this.#flushSoon(this.#options.flushDelayMs);
      else this.#lanes.delete(jobId);
    });
  }

  #flushSoon(delayMs: number): void {
    if (this.#batch) return; // the running batch schedules the next one when it ends
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, delayMs);
  }

  #flush(): void {
    const work = new Map<string, QueuedChange[]>();
    const lanes: [string, Lane][] = [];
    let taken = 0;
    for (const [jobId, lane] of this.#lanes) {
      if (work.size >= this.#options.maxBatchJobs) break;
      if (lane.busy || lane.pending.length === 0) continue;
      const changes = lane.pending.splice(0);
      taken += changes.length;
      work.set(jobId, changes);
      lanes.push([jobId, lane]);
    }
    if (work.size === 0) return;
    const batch = this.#commit(work);
    this.#batch = batch;
    for (const [jobId, lane] of lanes) this.#occupy(jobId, lane, batch);
    // Only now, with the lanes marked busy, may held calls proceed: theirs must come after this batch.
    this.#taken(taken);
    batch.then(() => {
      this.#batch = undefined;
      if (this.#pendingCount > 0) this.#flushSoon(this.#pendingCount >= this.#options.maxPending ? 0 : this.#options.flushDelayMs);
    });
  }

  /** Counts samples taken for writing, and lets held calls proceed as far as there is room. */
  #taken(count: number): void {
    this.#pendingCount -= count;
    while (this.#held.length > 0 && (!this.#held[0]!.needsRoom || this.#pendingCount < this.#options.maxPending)) {
      this.#held.shift()!.proceed();
    }
  }
}
