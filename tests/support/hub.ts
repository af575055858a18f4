import type { UpgradeWebSocket } from "hono/ws";
import { createHub, type HubOptions, type JobcastHub } from "../../server/app.ts";
import { demoJobs } from "../../server/jobs/demo/index.ts";
import { createLogger } from "../../server/log.ts";
import { FAR_OVER_LIMIT } from "../../server/transports/ws.ts";
import { createTestEngine } from "./engine.ts";

export { eventually, sleep } from "./wait.ts";
export { testEngineName } from "./engine.ts";

/** A real hub on a real loopback port, on whichever runtime runs the test, on the engine the environment names (see engine.ts). */
export interface RunningHub {
  hub: JobcastHub;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

const isDeno = "Deno" in globalThis;
export const runtime = isDeno ? "deno" : "node";

export async function startHub(options: HubOptions = {}): Promise<RunningHub> {
  const logger = createLogger((globalThis as { process?: { env: Record<string, string> } }).process?.env.TEST_LOG_LEVEL as never ?? "silent");
  const engine = options.engine ?? await createTestEngine();
  const build = (upgradeWebSocket: UpgradeWebSocket, clientIp: HubOptions["clientIp"]) => createHub({ jobs: demoJobs, logger, clientIp, ...options, engine, upgradeWebSocket });
  if (isDeno) {
    const { upgradeWebSocket, getConnInfo } = await import("hono/deno");
    const hub = build(upgradeWebSocket, (c) => getConnInfo(c).remote.address);
    await hub.ready;
    // deno-lint-ignore no-explicit-any
    const Deno = (globalThis as any).Deno;
    const server = await new Promise<{ port: number; shutdown(): Promise<void> }>((resolve) => {
      const served = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }: { port: number }) => resolve({ port, shutdown: () => served.shutdown() }) }, hub.fetch);
    });
    return running(hub, server.port, () => server.shutdown());
  }
  const { serve, upgradeWebSocket } = await import("@hono/node-server");
  const { getConnInfo } = await import("@hono/node-server/conninfo");
  const { WebSocketServer } = await import("ws");
  const hub = build(upgradeWebSocket, (c) => getConnInfo(c).remote.address);
  await hub.ready;
  const wss = new WebSocketServer({ noServer: true, maxPayload: (options.maxFrameBytes ?? 16_384) * FAR_OVER_LIMIT });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    const server = serve({ fetch: hub.fetch, port: 0, hostname: "127.0.0.1", websocket: { server: wss } }, (info) => resolve({ server, port: info.port }));
  });
  return running(hub, port, () =>
    new Promise<void>((resolve) => {
      wss.close();
      (server as unknown as { closeAllConnections?(): void }).closeAllConnections?.();
      server.close(() => resolve());
    }));
}

function running(hub: JobcastHub, port: number, shutdown: () => Promise<void>): RunningHub {
  const url = `http://127.0.0.1:${port}`;
  return {
    hub,
    url,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    async stop() {
      await hub.close();
      await shutdown();
    },
  };
}

export async function api<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}
