import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { HubContext } from "../app.ts";
import { isOriginAllowed } from "./origin.ts";
import { Problem } from "./problem.ts";

/** CORS for the REST API, following the same origin allowlist as the streams. */
export function cors(context: HubContext): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && isOriginAllowed(origin, c.req.url, context.options.allowedOrigins);
    if (c.req.method === "OPTIONS" && origin !== undefined) {
      if (!allowed) return problemResponse(c, new Problem("forbidden_origin", `origin ${origin} is not allowed`));
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "authorization, content-type, idempotency-key, last-event-id",
          "access-control-max-age": "600",
          vary: "Origin",
        },
      });
    }
    await next();
    if (allowed) {
      c.res.headers.set("access-control-allow-origin", origin);
      c.res.headers.append("vary", "Origin");
    }
  };
}

/** Refuses WebSocket upgrades and SSE streams from origins outside the allowlist. */
export function requireAllowedOrigin(context: HubContext): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (!isOriginAllowed(origin, c.req.url, context.options.allowedOrigins)) {
      context.metrics.errors.inc({ code: "forbidden_origin" });
      throw new Problem("forbidden_origin", `origin ${origin} is not allowed`);
    }
    await next();
  };
}

export function problemResponse(c: Context, problem: Problem): Response {
  return c.json(problem.toJSON(), problem.status as 400, problem.headers);
}

export function errorHandler(context: HubContext): ErrorHandler {
  return (error, c) => {
    if (error instanceof Problem) {
      context.metrics.errors.inc({ code: error.code });
      return problemResponse(c, error);
    }
    // A malformed percent-encoding in the query string fails when the query is first read.
    if (error instanceof URIError) {
      return problemResponse(c, new Problem("invalid_query", "the query string is not valid percent-encoding"));
    }
    if (error instanceof HTTPException && error.status === 413) {
      return problemResponse(c, new Problem("body_too_large", `request bodies are limited to ${context.options.maxBodyBytes} bytes`));
    }
    context.logger.error("request failed", { method: c.req.method, path: c.req.path, error: String(error) });
    return problemResponse(c, new Problem("internal", "internal error"));
  };
}

export const notFound: NotFoundHandler = (c) => problemResponse(c, new Problem("not_found", `no route for ${c.req.method} ${c.req.path}`));
