import { serve, upgradeWebSocket } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { WebSocketServer } from "ws";
import { FAR_OVER_LIMIT } from "./transports/ws.ts";
import { hubFromEnv, listening, shutdownOnce } from "./start.ts";

const { hub, config, logger } = hubFromEnv(process.env, upgradeWebSocket, (c) => getConnInfo(c).remote.address);
await hub.ready;

// Frames a little over the limit still get an error frame; far larger ones close the socket (1009).
const wss = new WebSocketServer({ noServer: true, maxPayload: config.MAX_FRAME_BYTES * FAR_OVER_LIMIT });
const server = serve({ fetch: hub.fetch, port: config.PORT, hostname: config.HOST, websocket: { server: wss } }, (info) =>
  listening(logger, `node ${process.version}`, hub, config, info.port));

const shutdown = shutdownOnce(hub, logger, () => {
  wss.close();
  server.close(() => process.exit(0));
  // Keep-alive connections may hold the server open; do not wait for them forever.
  setTimeout(() => process.exit(0), 5_000).unref();
});
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
