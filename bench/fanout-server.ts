import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, upgradeWebSocket } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { createHub } from "../server/app.ts";

/**
 * The server side of `npm run bench:fanout`, run in its own process:
 * - `hub`: the Jobcast hub on the Node entry's set-up (`/v1/ws`, `POST /v1/jobs/:id/events`);
 * - `baseline`: a bare `ws` server whose `POST /emit` sends its body, as is, to every client.
 * It listens on 127.0.0.1, sends `{ port }` to its parent over IPC, answers `"cpu"` with its CPU
 * time in microseconds, and exits when the parent disconnects.
 */

const HOST = "127.0.0.1";

async function startHub(): Promise<number> {
  // Heartbeats off for the run (connecting 10,000 clients takes a while) and progress unthrottled at ingest.
  const hub = createHub({ upgradeWebSocket, progressPerSecond: 1000, heartbeatMs: 3_600_000, logLevel: "warn" });
  await hub.ready;
  const wss = new WebSocketServer({ noServer: true });
  return await new Promise((resolve) => {
    serve({ fetch: hub.fetch, port: 0, hostname: HOST, websocket: { server: wss } }, (info) => resolve(info.port));
  });
}

async function startBaseline(): Promise<number> {
  const server = createServer((request, response) => {
    if (request.method !== "POST" || request.url !== "/emit") {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const frame = Buffer.concat(chunks).toString();
      for (const client of wss.clients) client.send(frame);
      response.writeHead(204).end();
    });
  });
  const wss = new WebSocketServer({ server });
  server.listen(0, HOST);
  await new Promise((resolve) => server.once("listening", resolve));
  return (server.address() as AddressInfo).port;
}

const mode = process.argv[2];
if (mode !== "hub" && mode !== "baseline") throw new Error("usage: fanout-server.ts hub|baseline");
const port = mode === "hub" ? await startHub() : await startBaseline();
process.on("message", (message) => {
  if (message !== "cpu") return;
  const { user, system } = process.cpuUsage();
  process.send!({ cpu: user + system });
});
process.on("disconnect", () => process.exit(0));
process.send!({ port });
