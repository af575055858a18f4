import { Hono } from "hono";
import type { HubContext } from "../app.ts";
import { sseResponse } from "../transports/sse.ts";
import { websocketEvents } from "../transports/ws.ts";
import { requireAllowedOrigin } from "./middleware.ts";
import { Problem } from "./problem.ts";
import type { ClientSession } from "../transports/session.ts";

/** `/v1/ws` and `/v1/stream`: the live transports. */
export function streamRoutes(context: HubContext): Hono {
  const { hub, metrics, logger, options, sessions } = context;
  const routes = new Hono();
  const register = (session: ClientSession) => {
    sessions.add(session);
    return () => void sessions.delete(session);
  };
  const limits = { maxQueueBytes: options.maxQueueBytes, maxSubscriptions: options.maxSubscriptions };

  routes.get("/v1/ws", requireAllowedOrigin(context), (c, next) => {
    if (!context.upgradeWebSocket) throw new Problem("not_found", "this hub does not serve WebSockets; use /v1/stream");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new Problem("upgrade_required", "connect with a WebSocket client");
    }
    const upgrade = context.upgradeWebSocket(() =>
      websocketEvents({
        hub,
        metrics,
        logger,
        options: { ...limits, heartbeatMs: options.heartbeatMs, maxFrameBytes: options.maxFrameBytes, socketHighWater: 64 * 1024 },
      }, register)
    );
    return upgrade(c, next);
  });

  routes.get("/v1/stream", requireAllowedOrigin(context), (c) =>
    sseResponse(c, { hub, metrics, options: { ...limits, heartbeatMs: options.sseHeartbeatMs, retryMs: options.sseRetryMs } }, register));

  return routes;
}
