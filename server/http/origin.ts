const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Browsers always send `Origin` on WebSocket upgrades, EventSource and cross-origin fetches, so a
 * foreign origin is refused; a request without one comes from a non-browser client (curl, a
 * worker) and is let through. `allowed` undefined means the hub's own origin and localhost.
 */
export function isOriginAllowed(origin: string | undefined, requestUrl: string, allowed: readonly string[] | undefined): boolean {
  if (origin === undefined) return true;
  if (origin === new URL(requestUrl).origin) return true;
  if (allowed === undefined) {
    try {
      return LOOPBACK_HOSTS.has(new URL(origin).hostname);
    } catch {
      return false;
    }
  }
  return allowed.includes("*") || allowed.includes(origin);
}
