import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { Control, CreateJobBody, EventsQuery, ListJobsQuery, WorkerReportBody } from "../protocol/index.ts";
import type { HubContext } from "../app.ts";
import { Problem } from "./problem.ts";

/** The REST API under `/v1/jobs`. */
export function restRoutes(context: HubContext): Hono {
  const { service } = context;
  const routes = new Hono();
  const limit = bodyLimit({
    maxSize: context.options.maxBodyBytes,
    onError: () => {
      throw new Problem("body_too_large", `request bodies are limited to ${context.options.maxBodyBytes} bytes`);
    },
  });

  routes.post("/v1/jobs", limit, async (c) => {
    const body = await readBody(c, CreateJobBody);
    const headerKey = c.req.header("idempotency-key");
    if (headerKey !== undefined && (headerKey.length === 0 || headerKey.length > 256)) {
      throw new Problem("invalid_body", "Idempotency-Key must be 1 to 256 characters");
    }
    const { job, created } = await service.submit({ ...body, key: body.key ?? headerKey });
    return c.json(job, created ? 201 : 200);
  });

  routes.get("/v1/jobs", async (c) => {
    const parsed = ListJobsQuery.safeParse({ ...c.req.query(), label: c.req.queries("label") });
    if (!parsed.success) throw Problem.fromZod("invalid_query", "invalid query", parsed.error);
    const { type, status, label, limit, cursor } = parsed.data;
    const labels = Object.fromEntries((label ?? []).map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
    const page = await service.list({ type, status, labels, limit, cursor });
    return c.json(page);
  });

  routes.get("/v1/jobs/:id", async (c) => c.json(await service.get(c.req.param("id"))));

  routes.get("/v1/jobs/:id/events", async (c) => {
    const parsed = EventsQuery.safeParse(c.req.query());
    if (!parsed.success) throw Problem.fromZod("invalid_query", "invalid query", parsed.error);
    const job = await service.get(c.req.param("id"));
    const events = await context.engine.history(job.id, parsed.data.after, parsed.data.limit);
    return c.json({ events, seq: job.seq });
  });

  routes.post("/v1/jobs/:id/events", limit, async (c) => {
    const reports = await readBody(c, WorkerReportBody);
    return c.json(await service.reportFromWorker(c.req.param("id"), Array.isArray(reports) ? reports : [reports]));
  });

  routes.post("/v1/jobs/:id/:control", async (c) => {
    const control = Control.safeParse(c.req.param("control"));
    if (!control.success) throw new Problem("not_found", `no control '${c.req.param("control")}'`, { controls: Control.options });
    return c.json(await service.control(c.req.param("id"), control.data));
  });

  return routes;
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
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw Problem.fromZod("invalid_body", "invalid body", parsed.error);
  return parsed.data;
}
