import { ContextEvent, createContext } from '@lit/context';
import { normalizeHubUrl } from './connection.ts';
import type { HubConnection } from './types.ts';

/** Provided by `<jobcast-hub>` to its subtree, across shadow roots. */
export const hubContext = createContext<HubConnection | undefined>(Symbol.for('jobcast.hub'));

// Captured at load: the URL of the script that brought the widgets in, e.g.
// https://hub.example/widgets/jobcast.js when the hub serves the bundle itself.
const loadedFrom = import.meta.url;

/**
 * The hub that served this script: everything before its `/widgets/` folder (so a hub mounted
 * under a path prefix works too), else the script's origin, else the page's origin.
 */
export function defaultHubUrl(): string {
  try {
    const { origin, pathname } = new URL(loadedFrom);
    if (origin !== 'null') return normalizeHubUrl(origin + (/^(.+)\/widgets\//.exec(pathname)?.[1] ?? ''));
  } catch {
    // Not a URL (some bundlers rewrite import.meta.url): fall back to the page.
  }
  return normalizeHubUrl(location.origin);
}

/** The element's own `hub` (property or attribute), normalised, or null. */
export function ownHubUrl(element: Element): string | null {
  const hub = (element as { hub?: string | null }).hub || element.getAttribute('hub');
  return hub ? normalizeHubUrl(hub) : null;
}

/**
 * Which hub an element talks to: its own `hub` attribute; else the nearest `<jobcast-hub>`
 * around it (found through context, so across shadow roots); else the hub that served the
 * script (see {@link defaultHubUrl}).
 */
export function resolveHubUrl(element: Element): string {
  let provided: HubConnection | undefined;
  element.dispatchEvent(new ContextEvent(hubContext, element, (connection) => (provided = connection)));
  return ownHubUrl(element) ?? provided?.hubUrl ?? defaultHubUrl();
}
