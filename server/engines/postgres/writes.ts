import type postgres from "postgres";
import type { Sql, TransactionSql } from "postgres";
import type { JobEvent } from "../../protocol/index.ts";

/** The channel every hub instance LISTENs on; a notification's payload is the new head offset. */
export const EVENTS_CHANNEL = "jobcast_events";

type Queries = Sql | TransactionSql;

/** Passes any JSON-serialisable value as a jsonb parameter. */
export function json(sql: Queries, value: unknown): postgres.Parameter {
  return sql.json(value as postgres.JSONValue);
}

/**
 * Stores events (built with offset 0) in the given order, stamping them with the next hub-wide
 * offsets, and, unless told otherwise, saves each job's state after its last event. The events'
 * offsets are filled in place. Call it last in the transaction, after every job row it touches
 * has been locked, and commit right after.
 *
 * Offsets come from the single `event_head` row, updated here, instead of a sequence. A sequence
 * hands out numbers at once, so two transactions can commit in the opposite order to their
 * offsets, and a reader that has seen offset 11 would resume "after 11" and never see a late 10.
 * The row lock taken by this update is held until commit, so event-writing transactions commit
 * one after another in offset order (and a rolled-back one gives its offsets back, so there are no
 * gaps). The cost is that writers serialise on one row from this statement to commit; keeping
 * this the last statement keeps that window short, and progress samples are written in batches.
 * The lock is also released only after the commit is visible, so readers see offsets in order.
 */
export async function appendEvents(
  tx: TransactionSql,
  events: JobEvent[],
  options: { storeJobs?: boolean; owner?: string } = {},
): Promise<void> {
  if (events.length === 0) return;
  const latest = new Map<string, JobEvent["job"]>();
  for (const event of events) latest.set(event.jobId, event.job);
  const jobs = options.storeJobs === false ? [] : [...latest.values()];
  const count = events.length;
  const [row] = await tx<{ head_offset: string }[]>`
    WITH head AS (
      UPDATE event_head SET head_offset = head_offset + ${count} RETURNING head_offset
    ), numbered AS (
      SELECT head.head_offset - ${count} + e.ordinality AS event_offset, e.event
      FROM head, jsonb_array_elements(${json(tx, events)}) WITH ORDINALITY AS e (event, ordinality)
    ), inserted AS (
      INSERT INTO job_events (event_offset, job_id, job_type, seq, kind, event)
      SELECT event_offset, event->>'jobId', event->'job'->>'type', (event->>'seq')::integer, event->>'kind',
             jsonb_set(event, '{offset}', to_jsonb(event_offset))
      FROM numbered
    ), stored AS (
      UPDATE jobs SET job = latest.job, owner = coalesce(${options.owner ?? null}::text, jobs.owner)
      FROM jsonb_array_elements(${json(tx, jobs)}) AS latest (job)
      WHERE jobs.id = latest.job->>'id'
    )
    SELECT head_offset, pg_notify(${EVENTS_CHANNEL}, head_offset::text) FROM head`;
  const first = Number(row!.head_offset) - count + 1;
  events.forEach((event, index) => {
    event.offset = first + index;
  });
}

const RETRYABLE = new Set(["40001", "40P01"]); // serialization failure, deadlock detected

/**
 * Runs work in a transaction, again (up to three times) when Postgres aborts it for a
 * serialization failure or a deadlock. The work must therefore be safe to repeat: it may only
 * read, compute, and write through `tx`.
 */
export async function inTransaction<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await sql.begin(work)) as T;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 3 || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
    }
  }
}
