import type { ClientFrame, ServerFrame } from '../../server/protocol/frames.ts';
import { postJson } from './request.ts';
import type { EventSourceConstructor, EventSourceLike, FetchFunction, TransportKind, WebSocketConstructor } from './types.ts';

/**
 * What a session hands the connection: the hub's frames (an SSE stream's named messages become
 * the WebSocket frames they mirror), plus the session's own life.
 */
export type SessionSignal =
  | ServerFrame
  /** An SSE `error` message, which names its channel instead of a frame id. */
  | { op: 'error'; channel: string; code: string; message: string }
  /** The transport is usable (a WebSocket opened; an EventSource opened or reopened). */
  | { op: 'open' }
  /** The browser is re-establishing an interrupted EventSource by itself. */
  | { op: 'interrupted' }
  /**
   * The session ended without being asked to. `fallBack`: the transport could not connect at
   * all, so the other one is worth trying. A `reason` means the hub's close code forbids
   * retrying (`token_expired` forbids it only until there is a new token).
   */
  | { op: 'closed'; reason?: string; fallBack?: boolean };

export type Receive = (from: Session, signal: SessionSignal) => void;

export interface Session {
  readonly kind: TransportKind;
  /** Sends a frame. A stream has no upstream: it reopens on (un)subscribe and ignores the rest. */
  send(frame: ClientFrame): void;
  /** Ends the session. It may still report afterwards; the connection ignores sessions it dropped. */
  close(code?: number, reason?: string): void;
}

/**
 * The close codes after which the hub asks clients not to come back (`retry: false` in
 * CLOSE_CODES of server/protocol/errors.ts), and `token_expired`, which needs a new token first.
 */
export const FINAL_CLOSE_CODES: Partial<Record<number, string>> = {
  1000: 'normal',
  1007: 'invalid_payload',
  4003: 'forbidden_origin',
  4401: 'unauthorized',
  4402: 'token_expired',
};

const OPEN = 1;
const EVENT_SOURCE_CLOSED = 2;

/** SSE message names and the WebSocket frames they mirror. */
const STREAM_MESSAGES = [
  ['snapshot', 'subscribed'],
  ['job', 'event'],
  // The hub's heartbeat: EventSource hides its comment, so the ping event in it is the proof of life.
  ['ping', 'ping'],
  // Both the hub's named message (a MessageEvent with data) and EventSource's own connection error.
  ['error', 'error'],
] as const;

/** One WebSocket: subscriptions are frames, and so is everything the hub says. */
export function openWebSocket(
  hubUrl: string,
  WebSocketImpl: WebSocketConstructor,
  connectTimeoutMs: number,
  receive: Receive,
): Session {
  const socket = new WebSocketImpl(`${hubUrl.replace(/^http/, 'ws')}/v1/ws`);
  let opened = false;
  const session: Session = {
    kind: 'websocket',
    send: (frame) => socket.readyState === OPEN && socket.send(JSON.stringify(frame)),
    close: (code = 1000, reason) => socket.close(code, reason),
  };
  const end = (reason?: string) => receive(session, { op: 'closed', reason, fallBack: !opened });
  const connectTimer = setTimeout(() => {
    socket.close();
    end();
  }, connectTimeoutMs);
  socket.addEventListener('open', () => {
    opened = true;
    clearTimeout(connectTimer);
    receive(session, { op: 'open' });
  });
  socket.addEventListener('message', (message) => receive(session, JSON.parse((message as MessageEvent).data)));
  socket.addEventListener('close', (event) => end(FINAL_CLOSE_CODES[(event as CloseEvent).code]));
  return session;
}

/** What a stream opens with: every channel, the one position they resume from, the token if any. */
export type StreamRequest = () => { channels: string[]; since?: string; token?: string };

/**
 * One EventSource carrying every channel. Its channel list is part of the URL, so a change of
 * subscriptions reopens the stream (batched per microtask) with what `request` says then.
 * The hub refuses a stream without channels, so with none the session only checks that the
 * hub answers (`/healthz`) and opens a stream when the first channel arrives.
 */
export function openEventSource(
  hubUrl: string,
  EventSourceImpl: EventSourceConstructor,
  fetchImpl: FetchFunction,
  request: StreamRequest,
  connectTimeoutMs: number,
  receive: Receive,
): Session {
  let source: EventSourceLike | undefined;
  /** Identifies the latest stream or reachability check; answers to older ones are ignored. */
  let attempt = {};
  let opened = false;
  let connectTimer: ReturnType<typeof setTimeout>;

  const session: Session = {
    kind: 'sse',
    send: ({ op }) => {
      // Batched: the first reopen of a task makes the others outdated.
      const current = attempt;
      if (op.endsWith('subscribe')) queueMicrotask(() => current === attempt && open());
    },
    close: () => {
      attempt = {};
      clearTimeout(connectTimer);
      source?.close();
    },
  };

  const end = () => receive(session, { op: 'closed' });
  const markOpen = () => {
    opened = true;
    clearTimeout(connectTimer);
    receive(session, { op: 'open' });
  };

  function open(): void {
    session.close();
    const current = attempt;
    const isCurrent = () => current === attempt;
    opened = false;
    connectTimer = setTimeout(() => {
      session.close();
      end();
    }, connectTimeoutMs);
    const { channels, since, token } = request();
    if (!channels.length) {
      fetchImpl(`${hubUrl}/healthz`).then(
        (response) => isCurrent() && (response.ok ? markOpen() : end()),
        () => isCurrent() && end(),
      );
      return;
    }
    // EventSource cannot send the token, so with one the stream opens with a single-use ticket for it.
    (token ? postJson<{ ticket: string }>(fetchImpl, `${hubUrl}/v1/tickets`, {}, token) : Promise.resolve(undefined)).then(
      (answer) => {
        if (!isCurrent()) return;
        const query = new URLSearchParams(channels.map((channel) => ['channel', channel]));
        if (since) query.set('since', since);
        if (answer) query.set('ticket', answer.ticket);
        const stream = (source = new EventSourceImpl(`${hubUrl}/v1/stream?${query}`));
        stream.addEventListener('open', markOpen);
        for (const [name, op] of STREAM_MESSAGES) {
          stream.addEventListener(name, (message) => {
            if (message instanceof MessageEvent) {
              receive(session, { ...JSON.parse(message.data), op });
            } else if (opened && stream.readyState !== EVENT_SOURCE_CLOSED) {
              // The browser reconnects by itself with Last-Event-ID, which resumes every channel;
              // it is left to do so once.
              opened = false;
              receive(session, { op: 'interrupted' });
            } else {
              // Never opened, closed for good, or failed again before reopening: the connection takes over.
              stream.close();
              end();
            }
          });
        }
      },
      () => isCurrent() && end(),
    );
  }

  open();
  return session;
}
