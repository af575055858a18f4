import type { JobEvent } from "../protocol/index.ts";

const encoder = new TextEncoder();

/**
 * One event on one channel. Each wire form is built at most once and shared by every
 * connection on the channel, and the event itself is serialised once for all its channels.
 */
export class ChannelMessage {
  #websocket?: string;
  #sse?: string;
  #bytes?: number;

  constructor(
    readonly channel: string,
    readonly event: JobEvent,
    readonly pos: string,
    readonly eventJson: string,
  ) {}

  get coalescible(): boolean {
    return this.event.kind === "progress";
  }

  /** The WebSocket `event` frame. */
  get websocketText(): string {
    return this.#websocket ??= `{"op":"event","channel":${JSON.stringify(this.channel)},"pos":"${this.pos}","event":${this.eventJson}}`;
  }

  /** The SSE `job` message; its `id:` resumes every channel of the stream. */
  get sseText(): string {
    return this.#sse ??= `id: ${this.pos}\n${this.sseTextWithoutId}`;
  }

  /** The SSE `job` message without `id:`, for catch-up, when one channel's position is not yet every channel's. */
  get sseTextWithoutId(): string {
    return `event: job\ndata: {"channel":${JSON.stringify(this.channel)},"pos":"${this.pos}","event":${this.eventJson}}\n\n`;
  }

  /** UTF-8 size of the larger wire form, for queue bounds. */
  get bytes(): number {
    return this.#bytes ??= encoder.encode(this.sseText).byteLength;
  }
}
