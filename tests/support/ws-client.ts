import WebSocket from "ws";

/** A test WebSocket client that records every frame and can wait for the one it expects. */
export class TestSocket {
  readonly frames: any[] = [];
  readonly #waiters: { match: (frame: any) => boolean; resolve: (frame: any) => void }[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  #nextId = 1;

  private constructor(readonly socket: WebSocket, options: { autoPong: boolean }) {
    this.closed = new Promise((resolve) => socket.on("close", (code) => {
      this.closeCode = code;
      resolve(code);
    }));
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data));
      if (options.autoPong && frame.op === "ping" && frame.id === undefined) socket.send('{"op":"pong"}');
      this.frames.push(frame);
      for (const waiter of [...this.#waiters]) {
        if (waiter.match(frame)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
  }

  static open(url: string, options: { origin?: string; autoPong?: boolean } = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: options.origin ? { origin: options.origin } : {} });
      const client = new TestSocket(socket, { autoPong: options.autoPong ?? true });
      socket.once("open", () => resolve(client));
      socket.once("unexpected-response", (_request, response) => reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode })));
      socket.once("error", reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Waits for the first frame (already received or still to come) that matches. */
  next(match: (frame: any) => boolean, ms = 10_000, from = 0): Promise<any> {
    const seen = this.frames.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames.slice(-5))}`)), ms);
      this.#waiters.push({ match, resolve: (frame) => {
        clearTimeout(timer);
        resolve(frame);
      } });
    });
  }

  async subscribe(channel: string, since?: string): Promise<any> {
    const id = this.#nextId++;
    const from = this.frames.length;
    this.send({ op: "subscribe", id, channel, ...(since ? { since } : {}) });
    return await this.next((frame) => frame.id === id && (frame.op === "subscribed" || frame.op === "error"), 10_000, from);
  }

  /** Request/response by frame id. */
  async request(frame: Record<string, unknown>): Promise<any> {
    const id = this.#nextId++;
    const from = this.frames.length;
    this.send({ ...frame, id });
    return await this.next((reply) => reply.id === id, 10_000, from);
  }

  events(channel?: string): any[] {
    return this.frames.filter((frame) => frame.op === "event" && (channel === undefined || frame.channel === channel));
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }
}
