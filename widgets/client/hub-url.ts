import { ContextEvent } from '@lit/context';
import { normalizeHubUrl } from './connection.ts';
import { hubContext } from './context.ts';
import type { HubConnection } from './types.ts';

// Captured at load: the URL of the script that brought the widgets in, e.g.
// https://hub.example/widgets/jobcast.js when the hub serves the bundle itself.
const loadedFrom = import.meta.url;

/**
 * The hub that served this script: everything before its `/widgets/` folder (so a hub mounted
 * under a path prefix works too), else the script's origin, else the page's origin.
 */
export function defaultHubUrl(): string {
  try {
    const url = new URL(loadedFrom);
    if (url.origin !== 'null') {
      const widgetsFolder = url.pathname.lastIndexOf('/widgets/');
      return normalizeHubUrl(url.origin + (widgetsFolder > 0 ? url.pathname.slice(0, widgetsFolder) : ''));
    }
  } catch {
    // Not a URL (some bundlers rewrite import.meta.url): fall back to the page.
  }
  return normalizeHubUrl(globalThis.location?.origin ?? '/');
}

/** The element's own `hub` (property or attribute), normalised, or null. */
export function ownHubUrl(element: Element): string | null {
  const property = (element as { hub?: unknown }).hub;
  const hub = typeof property === 'string' && property ? property : element.getAttribute('hub');
  return hub ? normalizeHubUrl(hub) : null;
}

/**
 * Which hub an element talks to: its own `hub` attribute; else the nearest `<jobcast-hub>`
 * around it (found through context, so across shadow roots); else the hub that served the
 * script (see {@link defaultHubUrl}).
 */
export function resolveHubUrl(element: Element): string {
  const own = ownHubUrl(element);
  if (own) return own;
  let provided: HubConnection | undefined;
  element.dispatchEvent(new ContextEvent(hubContext, element, (connection) => (provided = connection)));
  return provided?.hubUrl ?? defaultHubUrl();
}
