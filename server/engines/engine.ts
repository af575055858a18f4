import type { EventBody, Job, JobEvent, JobStatus, TicketGrant } from "../protocol/index.ts";

/** Filter for listing jobs; labels must all match. */
export interface JobFilter {
  type?: string;
  status?: JobStatus;
  labels?: Record<string, string>;
  limit: number;
  /** Opaque cursor returned by the previous page. */
  cursor?: string;
}

/** A change to one job: its new state and the event that describes it. */
export interface JobChange {
  job: Job;
  event: EventBody;
}

/**
 * Computes a change from the job's current state; returns undefined for "nothing to do".
 * It must be pure and synchronous: engines run it inside their atomic section (a lock or a
 * transaction) and may run it again on a retry. It throws to refuse (for example a conflict).
 */
export type Mutator = (job: Job) => JobChange | undefined;

/** Which events a replay wants. */
export interface ReplayFilter {
  jobId?: string;
  type?: string;
}

export interface ReplayResult {
  events: JobEvent[];
  /** False when history no longer reaches back to the requested offset: the caller must resnapshot. */
  complete: boolean;
}

/**
 * Where jobs and their events live, and how committed events reach every subscriber of every hub
 * instance. Everything above the engine is the same whichever engine runs.
 */
export interface Engine {
  readonly name: string;
  /** Prepares storage and fixes the epoch; must be called once before anything else. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Identifies the history that resume positions refer to; a new epoch means history was lost. */
  readonly epoch: string;
  /** Hub-wide offset of the newest committed event. */
  headOffset(): Promise<number>;

  /**
   * Stores a new job with its `created` event, unless a job with the same key exists,
   * in which case that job is returned with `created: false`.
   */
  create(job: Job): Promise<{ job: Job; created: boolean; event?: JobEvent }>;
  get(id: string): Promise<Job | undefined>;
  list(filter: JobFilter): Promise<{ jobs: Job[]; nextCursor: string | null }>;
  /**
   * Applies a mutator atomically and, when it returns a change, stores the event with the next
   * seq and offset and publishes it. `coalesce` marks a progress sample: an engine may batch
   * such writes and keep only the newest per job.
   */
  mutate(id: string, mutator: Mutator, options?: { coalesce?: boolean }): Promise<JobEvent | undefined>;
  /** Events of one job with seq greater than `afterSeq`, oldest first. */
  history(id: string, afterSeq: number, limit: number): Promise<JobEvent[]>;
  /** Events after a hub-wide offset, oldest first, for resuming a subscription. */
  replay(afterOffset: number, filter: ReplayFilter, limit: number): Promise<ReplayResult>;
  /** Every committed event from any instance, in offset order per job. Returns an unsubscribe function. */
  onEvent(listener: (event: JobEvent) => void): () => void;

  /**
   * Takes up to `limit` queued in-process jobs of the given types for this owner, oldest first,
   * each changed by `start` (which sets the status and the lease) atomically. Returns the start events.
   */
  claim(owner: string, types: string[], limit: number, start: Mutator): Promise<JobEvent[]>;
  /**
   * Takes up to `limit` in-process jobs of the given types that are being rolled back after they
   * stopped and that no instance runs yet (they have no lease), giving them to this owner with a
   * lease until `leaseUntil`, so that exactly one instance runs each rollback. Not an event.
   */
  claimRollbacks(owner: string, types: string[], limit: number, leaseUntil: Date): Promise<Job[]>;
  /** Extends the leases of jobs this owner runs. Not an event. */
  renewLeases(owner: string, ids: string[], leaseUntil: Date): Promise<void>;
  /** Ids of unfinished jobs whose lease ended before `now`. */
  expiredLeases(now: Date, limit: number): Promise<string[]>;
  /** Ids of running jobs whose last progress is older than `before` and not yet flagged stalled. */
  stalledCandidates(before: Date, limit: number): Promise<string[]>;
  /**
   * Stores a stream ticket under its hash (never the ticket itself, so stored tickets cannot be
   * used) with what it grants until `expiresAt` (epoch milliseconds).
   */
  issueTicket(hash: string, grant: TicketGrant, expiresAt: number): Promise<void>;
  /**
   * Spends a ticket: its grant if it is known and unexpired at `now`, else undefined. A ticket is
   * spent by its first redemption, expired or not, so that of all instances sharing the storage,
   * one at most accepts it.
   */
  redeemTicket(hash: string, now: number): Promise<TicketGrant | undefined>;
  /**
   * Removes finished jobs and their events according to the engine's retention settings, and
   * expired tickets. Returns the number of jobs removed.
   */
  sweep(now: Date): Promise<number>;
  /** Figures for /metrics and /healthz. */
  health(): Promise<{ ok: boolean; details?: Record<string, number | string> }>;
}
