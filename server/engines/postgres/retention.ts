import type { Sql } from "postgres";

export interface RetentionOptions {
  /** How long a finished job and its events are kept. */
  finishedTtlMs: number;
  /** Finished jobs kept at most; the oldest go first. */
  maxFinishedJobs: number;
  /** Events kept per job; superseded progress samples go first. */
  historyPerJob: number;
  /** Rows handled per statement, so that no statement holds locks for long. */
  batchSize: number;
}

/**
 * Applies retention in short statements: removes finished jobs past the TTL or the count limit,
 * with their events, trims long job histories, and removes expired stream tickets. Returns the
 * number of jobs removed.
 * Removing a meaningful event raises `pruned_up_to` (hub-wide) and `lost_up_to` (per job), which
 * is how replay knows that history no longer reaches back far enough.
 */
export async function sweep(sql: Sql, now: Date, options: RetentionOptions): Promise<number> {
  const removed = await removeFinishedJobs(sql, now, options);
  await trimHistories(sql, options);
  await removeExpiredTickets(sql, now, options);
  return removed;
}

/** Tickets nobody redeemed in time; skips rows being redeemed or removed by another instance right now. */
async function removeExpiredTickets(sql: Sql, now: Date, options: RetentionOptions): Promise<void> {
  for (;;) {
    const removed = await sql`
      DELETE FROM stream_tickets WHERE ticket_hash IN (
        SELECT ticket_hash FROM stream_tickets WHERE expires_at <= ${now} LIMIT ${options.batchSize} FOR UPDATE SKIP LOCKED
      )`;
    if (removed.count < options.batchSize) return;
  }
}

async function removeFinishedJobs(sql: Sql, now: Date, options: RetentionOptions): Promise<number> {
  const expiredBefore = new Date(now.getTime() - options.finishedTtlMs);
  // The finish time of the newest finished job beyond the count limit, if there are too many.
  const [beyondLimit] = await sql<{ finished_at: Date }[]>`
    SELECT finished_at FROM jobs WHERE finished ORDER BY finished_at DESC OFFSET ${options.maxFinishedJobs} LIMIT 1`;
  const cutoff = beyondLimit && beyondLimit.finished_at >= expiredBefore ? beyondLimit.finished_at : undefined;
  let removed = 0;
  for (;;) {
    const [row] = await sql<{ removed: number }[]>`
      WITH doomed AS (
        SELECT id FROM jobs
        WHERE finished AND (finished_at < ${expiredBefore} OR finished_at <= ${cutoff ?? null}::timestamptz)
        ORDER BY finished_at LIMIT ${options.batchSize}
        FOR UPDATE SKIP LOCKED
      ), removed_events AS (
        DELETE FROM job_events WHERE job_id IN (SELECT id FROM doomed) RETURNING event_offset
      ), marked AS (
        UPDATE hub_meta SET pruned_up_to = greatest(pruned_up_to, (SELECT max(event_offset) FROM removed_events))
        WHERE EXISTS (SELECT 1 FROM removed_events)
      ), removed_jobs AS (
        DELETE FROM jobs WHERE id IN (SELECT id FROM doomed) RETURNING id
      )
      SELECT count(*)::integer AS removed FROM removed_jobs`;
    removed += row!.removed;
    if (row!.removed < options.batchSize) return removed;
  }
}

/**
 * Keeps at most `historyPerJob` events per job: superseded progress samples (every progress event
 * but the job's newest event) go first, oldest first; only then the oldest events of any kind.
 * Jobs are visited once per sweep, and only those that grew since they were last trimmed.
 */
async function trimHistories(sql: Sql, options: RetentionOptions): Promise<void> {
  const limit = options.historyPerJob;
  const slack = Math.max(1, Math.floor(limit / 10));
  let after = "";
  for (;;) {
    const candidates = await sql<{ id: string }[]>`
      SELECT id FROM jobs WHERE seq > ${limit} AND seq >= compacted_seq + ${slack} AND id > ${after}
      ORDER BY id LIMIT ${options.batchSize}`;
    for (const { id } of candidates) await trimHistory(sql, id, limit);
    if (candidates.length < options.batchSize) return;
    after = candidates.at(-1)!.id;
  }
}

async function trimHistory(sql: Sql, jobId: string, limit: number): Promise<void> {
  await sql.begin(async (tx) => {
    // The job row first, then hub_meta, as when removing finished jobs, so two sweeps cannot
    // deadlock; a job being written right now is trimmed next time.
    const [locked] = await tx`SELECT 1 FROM jobs WHERE id = ${jobId} FOR UPDATE SKIP LOCKED`;
    if (!locked) return;
    await tx`
      WITH ranked AS (
        SELECT event_offset, kind, row_number() OVER (ORDER BY seq DESC) AS newness FROM job_events WHERE job_id = ${jobId}
      )
      DELETE FROM job_events WHERE event_offset IN (
        SELECT event_offset FROM ranked WHERE kind = 'progress' AND newness > 1 ORDER BY event_offset
        LIMIT greatest((SELECT count(*) FROM ranked) - ${limit}, 0)
      )`;
    await tx`
      WITH removed AS (
        DELETE FROM job_events WHERE event_offset IN (
          SELECT event_offset FROM job_events WHERE job_id = ${jobId} ORDER BY seq DESC OFFSET ${limit}
        ) RETURNING event_offset
      ), marked AS (
        UPDATE hub_meta SET pruned_up_to = greatest(pruned_up_to, (SELECT max(event_offset) FROM removed))
        WHERE EXISTS (SELECT 1 FROM removed)
      )
      UPDATE jobs SET compacted_seq = seq, lost_up_to = greatest(lost_up_to, coalesce((SELECT max(event_offset) FROM removed), 0))
      WHERE id = ${jobId}`;
  });
}
