import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { Control, CreateJobBody, EventsQuery, type Job, ListJobsQuery, WorkerReportBody } from "../protocol/index.ts";
import type { HubContext } from "../app.ts";
import { mayView } from "../auth/access.ts";
import { type AccessEnv, authenticate, callerKey } from "../auth/middleware.ts";
import { jsonProblem } from "./json-limits.ts";
import { Problem } from "./problem.ts";

/** The REST API under `/v1/jobs`, and `/v1/tickets` when tokens are required. */
export function restRoutes(context: HubContext): Hono<AccessEnv> {
  const { service, authenticator } = context;
  const routes = new Hono<AccessEnv>();
  const limit = bodyLimit({
    maxSize: context.options.maxBodyBytes,
    onError: () => {
      throw new Problem("body_too_large", `request bodies are limited to ${context.options.maxBodyBytes} bytes`);
    },
  });
  routes.use("/v1/jobs", authenticate(context));
  routes.use("/v1/jobs/*", authenticate(context));

  /** The job, or 404 exactly as for a job that does not exist when the caller may not see it. */
  const visibleJob = async (c: Context<AccessEnv>, id: string): Promise<Job> => {
    const job = await service.get(id);
    if (!mayView(c.var.access, job)) throw noSuchJob(id);
    return job;
  };

  routes.post("/v1/jobs", limit, async (c) => {
    const { access } = c.var;
    const key = callerKey(access, context.clientIp(c));
    const retryAfter = key === undefined ? undefined : context.submitLimiter.take(key);
    if (retryAfter !== undefined) {
      context.metrics.rateLimited.inc({ what: "submissions" });
      throw new Problem("rate_limited", "too many submissions; retry later").withHeaders({ "retry-after": String(retryAfter) });
    }
    const body = await readBody(c, CreateJobBody);
    const headerKey = c.req.header("idempotency-key");
    if (headerKey !== undefined && (headerKey.length === 0 || headerKey.length > 256)) {
      throw new Problem("invalid_body", "Idempotency-Key must be 1 to 256 characters");
    }
    if (!access.maySubmit(body.type)) throw new Problem("forbidden", `this token may not submit '${body.type}' jobs`);
    const labels = { ...body.labels, ...access.labels };
    const { job, created } = await service.submit({ ...body, labels, key: body.key ?? headerKey });
    // A key another scope already used must not hand its job over.
    if (!created && !access.sees(job)) throw new Problem("conflict", "this idempotency key is already in use");
    if (authenticator && job.external) {
      return c.json({ ...job, producerToken: await authenticator.producerTokens.issue(job.id) }, created ? 201 : 200);
    }
    return c.json(job, created ? 201 : 200);
  });

  routes.get("/v1/jobs", async (c) => {
    const { access } = c.var;
    const parsed = ListJobsQuery.safeParse({ ...c.req.query(), label: c.req.queries("label") });
    if (!parsed.success) throw Problem.fromZod("invalid_query", "invalid query", parsed.error);
    const { type, status, label, limit, cursor } = parsed.data;
    if (!access.mayRead("jobs") && !(type !== undefined && access.mayRead(`jobs:${type}`))) {
      throw new Problem("forbidden", type === undefined ? "this token may not list every job; name a type it may read" : `this token may not read '${type}' jobs`);
    }
    const asked = Object.fromEntries((label ?? []).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
    // A filter that contradicts the token's own labels matches nothing the caller may see.
    if (Object.entries(access.labels).some(([name, value]) => name in asked && asked[name] !== value)) return c.json({ jobs: [], nextCursor: null });
    const page = await service.list({ type, status, labels: { ...asked, ...access.labels }, limit, cursor });
    return c.json({ ...page, jobs: page.jobs.filter((job) => access.sees(job)) });
  });

  routes.get("/v1/jobs/:id", async (c) => c.json(await visibleJob(c, c.req.param("id"))));

  routes.get("/v1/jobs/:id/events", async (c) => {
    const parsed = EventsQuery.safeParse(c.req.query());
    if (!parsed.success) throw Problem.fromZod("invalid_query", "invalid query", parsed.error);
    const job = await visibleJob(c, c.req.param("id"));
    const events = await context.engine.history(job.id, parsed.data.after, parsed.data.limit);
    return c.json({ events, seq: job.seq });
  });

  routes.post("/v1/jobs/:id/events", limit, async (c) => {
    const { access } = c.var;
    const reports = await readBody(c, WorkerReportBody);
    const id = c.req.param("id");
    const job = await service.get(id);
    if (!access.mayReport(job)) {
      if (!mayView(access, job)) throw noSuchJob(id);
      throw new Problem("forbidden", "only the job's producer token or a token with report: true may report");
    }
    return c.json(await service.reportFromWorker(id, Array.isArray(reports) ? reports : [reports]));
  });

  routes.post("/v1/jobs/:id/:control", async (c) => {
    const control = Control.safeParse(c.req.param("control"));
    if (!control.success) throw new Problem("not_found", `no control '${c.req.param("control")}'`, { controls: Control.options });
    await visibleJob(c, c.req.param("id"));
    if (!c.var.access.mayControl(control.data)) throw new Problem("forbidden", `this token may not ${control.data} jobs`);
    return c.json(await service.control(c.req.param("id"), control.data));
  });

  if (authenticator) {
    routes.post("/v1/tickets", authenticate(context), async (c) => {
      const issued = await authenticator.tickets.issue(c.var.access);
      if (!issued) throw new Problem("rate_limited", "too many tickets issued lately; retry later").withHeaders({ "retry-after": "5" });
      return c.json({ ticket: issued.ticket, expiresAt: new Date(issued.expiresAt).toISOString() }, 201);
    });
  }

  return routes;
}

function noSuchJob(id: string): Problem {
  return new Problem("not_found", `no job '${id}'`);
}

/** Parses a JSON body against a schema, with the zod issues in `details` when it does not fit. */
async function readBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<z.output<Schema>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch (error) {
    if (error instanceof Problem) throw error;
    throw new Problem("bad_json", "the body is not valid JSON");
  }
  const problem = jsonProblem(json);
  if (problem) throw new Problem("invalid_body", `the body ${problem}`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw Problem.fromZod("invalid_body", "invalid body", parsed.error);
  return parsed.data;
}
