/**
 * The Jobcast client: one shared, self-healing connection per hub, usable without any element.
 *
 * ```ts
 * const hub = connect('https://hub.example');
 * const stop = hub.subscribe('job:abc', (update) => console.log(update));
 * hub.addEventListener('statechange', (event) => console.log(event.detail.state));
 * // later
 * stop();
 * hub.release();
 * ```
 */
export { backoffCeiling, backoffDelay } from './backoff.ts';
export { configureHub, connect, normalizeHubUrl } from './connection.ts';
export { HubController, type HubControllerOptions } from './controller.ts';
export { defineElement } from './define.ts';
export { defaultHubUrl, hubContext, resolveHubUrl } from './hub-url.ts';
export { HubRequestError } from './request.ts';
export type {
  ChannelListener,
  ChannelUpdate,
  ConnectionState,
  ConnectionStatus,
  ConnectOptions,
  EventSourceConstructor,
  EventSourceLike,
  FetchFunction,
  HubConnection,
  SubmitJobBody,
  TokenProvider,
  TransportKind,
  WebSocketConstructor,
  WebSocketLike,
} from './types.ts';
