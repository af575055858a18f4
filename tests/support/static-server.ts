import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface StaticSite {
  /** `http://localhost:<port>`: another origin than a hub on 127.0.0.1, as a host page would be. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `pages` (path → HTML) and the files of `folders` (path prefix ending in `/` → directory,
 * `index.html` for the prefix itself) on a free loopback port.
 */
export async function serveSite(pages: Record<string, string>, folders: Record<string, string> = {}): Promise<StaticSite> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://site").pathname;
    if (Object.hasOwn(pages, path)) {
      response.writeHead(200, { "content-type": CONTENT_TYPES[".html"]! }).end(pages[path]);
      return;
    }
    const prefix = Object.keys(folders).find((candidate) => path.startsWith(candidate));
    if (prefix !== undefined) {
      const file = normalize(join(folders[prefix]!, path.slice(prefix.length) || "index.html"));
      if (file.startsWith(normalize(folders[prefix]!))) {
        try {
          const body = await readFile(file);
          response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
          return;
        } catch {
          // Falls through to 404.
        }
      }
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
