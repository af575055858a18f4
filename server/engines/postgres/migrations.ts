import type { Sql } from "postgres";

/** One schema change. Versions only grow; an applied migration is never edited, a new one is added. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The SQL lives here rather than in .sql files so that Node and Deno load it as a plain module,
 * with no file-system access or bundler step.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "jobs, events and hub metadata",
    sql: `
      -- ISO-8601 strings with a zone parse the same under every setting, so this cast may be
      -- declared immutable and used by the generated columns below.
      CREATE FUNCTION jobcast_timestamp(value text) RETURNS timestamptz
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT value::timestamptz $$;

      -- One row, made once: the epoch stays the same across restarts, so resume positions stay valid.
      CREATE TABLE hub_meta (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        epoch text NOT NULL,
        -- Newest offset of a meaningful event removed by retention: hub-wide replays from before it are incomplete.
        pruned_up_to bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO hub_meta (epoch) VALUES (substr(replace(gen_random_uuid()::text, '-', ''), 1, 12));

      -- The offset counter, on its own row because every event-writing transaction updates it.
      CREATE TABLE event_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        head_offset bigint NOT NULL
      );
      INSERT INTO event_head (head_offset) VALUES (0);

      -- job holds the whole Job; the other columns are derived from it for filtering and indexing.
      -- A progress update changes no indexed column, so with room left on each page (fillfactor)
      -- it is a HOT update that writes no index entries; hence no index on job itself,
      -- updated_at or lease_expires_at, which change with every event.
      CREATE TABLE jobs (
        id text PRIMARY KEY,
        position bigint GENERATED ALWAYS AS IDENTITY,
        job jsonb NOT NULL,
        owner text,
        -- Newest offset of this job's meaningful events removed by retention.
        lost_up_to bigint NOT NULL DEFAULT 0,
        -- seq at the last history compaction, so that sweeps skip jobs that did not grow.
        compacted_seq integer NOT NULL DEFAULT 0,
        key text GENERATED ALWAYS AS (job->>'key') STORED UNIQUE,
        type text GENERATED ALWAYS AS (job->>'type') STORED NOT NULL,
        status text GENERATED ALWAYS AS (job->>'status') STORED NOT NULL,
        labels jsonb GENERATED ALWAYS AS (job->'labels') STORED NOT NULL,
        finished boolean GENERATED ALWAYS AS (job->>'status' IN ('completed', 'failed', 'cancelled', 'rolled_back')) STORED NOT NULL,
        external boolean GENERATED ALWAYS AS ((job->>'external')::boolean) STORED NOT NULL,
        stalled boolean GENERATED ALWAYS AS ((job->>'stalled')::boolean) STORED NOT NULL,
        seq integer GENERATED ALWAYS AS ((job->>'seq')::integer) STORED NOT NULL,
        lease_expires_at timestamptz GENERATED ALWAYS AS (jobcast_timestamp(job->>'leaseExpiresAt')) STORED,
        updated_at timestamptz GENERATED ALWAYS AS (jobcast_timestamp(job->>'updatedAt')) STORED NOT NULL,
        finished_at timestamptz GENERATED ALWAYS AS (
          CASE WHEN job->>'status' IN ('completed', 'failed', 'cancelled', 'rolled_back')
            THEN jobcast_timestamp(coalesce(job->>'finishedAt', job->>'updatedAt')) END
        ) STORED
      ) WITH (fillfactor = 70);
      CREATE INDEX jobs_newest ON jobs (position);
      CREATE INDEX jobs_by_type ON jobs (type, position);
      CREATE INDEX jobs_by_status ON jobs (status, position);
      CREATE INDEX jobs_by_labels ON jobs USING gin (labels jsonb_path_ops);
      CREATE INDEX jobs_claimable ON jobs (type, position) WHERE status = 'queued' AND NOT external;
      CREATE INDEX jobs_unfinished ON jobs (position) WHERE NOT finished;
      CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished;

      -- event holds the whole JobEvent; offsets come from event_head, not from a sequence (see writes.ts).
      CREATE TABLE job_events (
        event_offset bigint PRIMARY KEY,
        job_id text NOT NULL,
        job_type text NOT NULL,
        seq integer NOT NULL,
        kind text NOT NULL,
        event jsonb NOT NULL,
        UNIQUE (job_id, seq)
      );
      CREATE INDEX job_events_by_type ON job_events (job_type, event_offset);
    `,
  },
  {
    version: 2,
    name: "stream tickets shared by every instance",
    sql: `
      -- A ticket may be issued by one instance and redeemed on another. Only its SHA-256 hash is
      -- kept, so the table yields no usable ticket; granted is what it grants (a TicketGrant).
      -- Redemption deletes the row, so one instance at most accepts each ticket.
      CREATE TABLE stream_tickets (
        ticket_hash text PRIMARY KEY,
        granted jsonb NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX stream_tickets_by_expiry ON stream_tickets (expires_at);
    `,
  },
];

/**
 * Applies the migrations not yet applied, all in one transaction. The transaction-level advisory
 * lock makes instances that start together take turns: the second one waits, then finds nothing to do.
 * Returns the versions applied.
 */
export async function migrate(sql: Sql): Promise<number[]> {
  return await sql.begin(async (tx) => {
    // A slow migration must not be cut short by the pool's statement timeout.
    await tx`SET LOCAL statement_timeout = 0`;
    await tx`SELECT pg_advisory_xact_lock(hashtext('jobcast.migrations'))`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`;
      applied.push(migration.version);
    }
    return applied;
  });
}
