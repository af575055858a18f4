import { type Context, Hono } from "hono";
import type { HubContext } from "../app.ts";
import { type Access, OPEN_ACCESS } from "../auth/access.ts";
import { unauthorized } from "../auth/authenticator.ts";
import { bearerToken } from "../auth/middleware.ts";
import { sseResponse } from "../transports/sse.ts";
import { websocketEvents } from "../transports/ws.ts";
import { requireAllowedOrigin } from "./middleware.ts";
import { Problem } from "./problem.ts";
import type { ClientSession } from "../transports/session.ts";

/** `/v1/ws` and `/v1/stream`: the live transports. */
export function streamRoutes(context: HubContext): Hono {
  const { hub, metrics, logger, options, sessions, authenticator, connectionLimit } = context;
  const routes = new Hono();
  /** Counts the session against its IP's limit for as long as it is open. */
  const registerFrom = (ip: string | undefined) => (session: ClientSession) => {
    sessions.add(session);
    const release = ip === undefined ? () => {} : connectionLimit.acquire(ip);
    return () => {
      sessions.delete(session);
      release();
    };
  };
  /** Refuses a new connection from an IP that holds its share already. */
  const checkConnectionRoom = (c: Context): string | undefined => {
    const ip = context.clientIp(c);
    if (ip !== undefined && !connectionLimit.hasRoom(ip)) {
      metrics.rateLimited.inc({ what: "connections" });
      throw new Problem("too_many_connections", `at most ${options.maxConnectionsPerIp} connections per client`);
    }
    return ip;
  };
  const limits = { maxQueueBytes: options.maxQueueBytes, maxSubscriptions: options.maxSubscriptions };

  routes.get("/v1/ws", requireAllowedOrigin(context), (c, next) => {
    if (!context.upgradeWebSocket) throw new Problem("not_found", "this hub does not serve WebSockets; use /v1/stream");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new Problem("upgrade_required", "connect with a WebSocket client");
    }
    const ip = checkConnectionRoom(c);
    const upgrade = context.upgradeWebSocket(() =>
      websocketEvents({
        hub,
        metrics,
        logger,
        authenticator,
        options: {
          ...limits,
          heartbeatMs: options.heartbeatMs,
          maxFrameBytes: options.maxFrameBytes,
          socketHighWater: 64 * 1024,
          framesPerSecond: options.framesPerSecond,
          frameBurst: options.frameBurst,
        },
      }, registerFrom(ip))
    );
    return upgrade(c, next);
  });

  routes.get("/v1/stream", requireAllowedOrigin(context), async (c) => {
    const ip = checkConnectionRoom(c);
    const access = await streamAccess(context, c);
    return sseResponse(c, access, { hub, metrics, options: { ...limits, heartbeatMs: options.sseHeartbeatMs, retryMs: options.sseRetryMs } }, registerFrom(ip));
  });

  return routes;
}

/** A stream's access: from a single-use `?ticket=` (browsers), or `Authorization: Bearer` (other clients). */
async function streamAccess(context: HubContext, c: Context): Promise<Access> {
  const { authenticator } = context;
  if (!authenticator) return OPEN_ACCESS;
  const ticket = c.req.query("ticket");
  if (ticket !== undefined) {
    const access = await authenticator.tickets.redeem(ticket);
    if (!access) throw new Problem("unauthorized", "the ticket is unknown, used or expired; get a new one from POST /v1/tickets");
    return access;
  }
  const token = bearerToken(c);
  if (token === undefined) throw unauthorized();
  return await authenticator.verifyAccessToken(token);
}
