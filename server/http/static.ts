import { readFile } from "node:fs/promises";
import { join, normalize } from "node:path";
import { Hono } from "hono";
import type { HubContext } from "../app.ts";
import { demoPage } from "./demo-page.ts";
import { Problem } from "./problem.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".d.ts": "text/plain; charset=utf-8",
};

/** The widget bundle, the demo page, health and metrics. */
export function staticRoutes(context: HubContext): Hono {
  const routes = new Hono();

  routes.get("/widgets/:file{[A-Za-z0-9._-]+\\.(js|map)}", async (c) => {
    const file = c.req.param("file");
    let body: Uint8Array;
    try {
      body = await readFile(normalize(join(context.options.widgetsDir, file)));
    } catch {
      throw new Problem("not_found", `no widget file '${file}' (build the widgets with npm run build)`);
    }
    const extension = file.endsWith(".map") ? ".map" : ".js";
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": CONTENT_TYPES[extension]!,
      // Any page may load the widgets; they talk to this hub, which checks origins itself.
      "access-control-allow-origin": "*",
      "cross-origin-resource-policy": "cross-origin",
      "cache-control": "public, max-age=300, stale-while-revalidate=86400",
    });
  });

  routes.get("/", (c) => c.html(demoPage(context.service.types.keys())));

  routes.get("/healthz", async (c) => {
    const engine = await context.engine.health().catch((error) => ({ ok: false, details: { error: String(error) } }));
    return c.json({
      status: engine.ok ? "ok" : "degraded",
      engine: context.engine.name,
      epoch: context.engine.epoch,
      uptimeSeconds: Math.round((Date.now() - context.startedAt) / 1000),
      connections: context.sessions.size,
      details: engine.details ?? {},
    }, engine.ok ? 200 : 503);
  });

  routes.get("/metrics", async (c) => {
    const engine = await context.engine.health().catch(() => ({ ok: false, details: {} }));
    const body = context.metrics.render({ up: engine.ok ? 1 : 0, ...(engine.details ?? {}) });
    return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });

  return routes;
}
