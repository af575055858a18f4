import { startTestPostgres, type TestPostgres } from "../support/postgres.ts";
import { type HubProcess, type HubRuntime, startHubProcess, stopHubProcesses } from "../support/hub-process.ts";
import { api, eventually } from "../support/hub.ts";

/** Seconds before a dead instance's jobs are taken over; small so that tests need not wait long. */
export const INSTANCE_LEASE_SECONDS = 2;

/** Hub processes sharing one fresh database on a throwaway PostgreSQL server. */
export interface SharedDatabase {
  /** `env` adds settings, such as `AUTH=jwt`. */
  start(runtime: HubRuntime, env?: Record<string, string>): Promise<HubProcess>;
  stop(): Promise<void>;
}

export async function sharedDatabase(): Promise<SharedDatabase> {
  const server: TestPostgres = await startTestPostgres();
  const databaseUrl = await server.createDatabase();
  return {
    start: (runtime, env = {}) =>
      startHubProcess(runtime, {
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: "4",
        INSTANCE_LEASE_SECONDS: String(INSTANCE_LEASE_SECONDS),
        ...env,
      }),
    async stop() {
      await stopHubProcesses();
      await server.stop();
    },
  };
}

export async function submit(hub: HubProcess, type: string, input: Record<string, unknown> = {}): Promise<any> {
  const { status, body } = await api(hub.url, "POST", "/v1/jobs", { type, input });
  if (status !== 201) throw new Error(`submit ${type}: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function getJob(hub: HubProcess, id: string): Promise<any> {
  return (await api(hub.url, "GET", `/v1/jobs/${id}`)).body;
}

/** Polls one instance until the job matches. */
export function until(hub: HubProcess, id: string, wanted: (job: any) => boolean, what: string, ms = 15_000): Promise<any> {
  return eventually(async () => {
    const job = await getJob(hub, id);
    return wanted(job) ? job : undefined;
  }, ms, `job ${id}: ${what}`);
}

/** Jobs an instance runs in-process right now, from its /metrics. */
export async function jobsRunningOn(hub: HubProcess): Promise<number> {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  return Number(/^jobcast_jobs_running (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Of two instances, the one that runs the (only) running job, and the other one. */
export async function ownerAndPeer(hubs: [HubProcess, HubProcess]): Promise<{ owner: HubProcess; peer: HubProcess }> {
  return await eventually(async () => {
    const [first, second] = await Promise.all(hubs.map(jobsRunningOn));
    if (first === 1 && second === 0) return { owner: hubs[0], peer: hubs[1] };
    if (first === 0 && second === 1) return { owner: hubs[1], peer: hubs[0] };
    return undefined;
  }, 5_000, "exactly one instance running the job");
}

/** Asserts seqs run one by one from `first`: no gap, no duplicate, no reordering. */
export function contiguous(seqs: number[], first: number): boolean {
  return seqs.every((seq, index) => seq === first + index);
}
