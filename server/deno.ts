import { getConnInfo, upgradeWebSocket } from "hono/deno";
import { hubFromEnv, listening, shutdownOnce } from "./start.ts";

const { hub, config, logger } = hubFromEnv(Deno.env.toObject(), upgradeWebSocket, (c) => getConnInfo(c).remote.address);
await hub.ready;

const server = Deno.serve({
  port: config.PORT,
  hostname: config.HOST,
  onListen: ({ port }) => listening(logger, `deno ${Deno.version.deno}`, hub, config, port),
}, hub.fetch);

const shutdown = shutdownOnce(hub, logger, async () => {
  await server.shutdown();
  Deno.exit(0);
});
Deno.addSignalListener("SIGTERM", () => void shutdown("SIGTERM"));
Deno.addSignalListener("SIGINT", () => void shutdown("SIGINT"));
