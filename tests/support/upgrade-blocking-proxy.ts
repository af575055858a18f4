import { createServer, request } from "node:http";
import { pipeline } from "node:stream";

export interface UpgradeBlockingProxy {
  /** `http://127.0.0.1:<port>`: the hub as seen through the proxy. */
  readonly url: string;
  /** WebSocket upgrades answered with 403 so far. */
  readonly refusedUpgrades: number;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of `target` that forwards plain requests and streams responses as they
 * come (so SSE flows), but answers every `Upgrade` request with 403, as some corporate proxies do.
 */
export async function startUpgradeBlockingProxy(target: string): Promise<UpgradeBlockingProxy> {
  const upstream = new URL(target);
  let refusedUpgrades = 0;
  const server = createServer((incoming, outgoing) => {
    const forwarded = request(
      { hostname: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        // A hub that dies mid-stream cuts the browser's connection too, as a real proxy would.
        pipeline(answer, outgoing, () => {});
      },
    );
    forwarded.on("error", () => {
      if (outgoing.headersSent) outgoing.destroy();
      else outgoing.writeHead(502).end();
    });
    // A browser closing its EventSource must close the stream upstream too.
    outgoing.on("close", () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  server.on("upgrade", (_request, socket) => {
    refusedUpgrades++;
    socket.end("HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get refusedUpgrades() {
      return refusedUpgrades;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
