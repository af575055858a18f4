/** One parsed Server-Sent Events message. */
export interface SseMessage {
  event: string;
  data: any;
  id?: string;
}

/** Reads an SSE stream over fetch, so tests can set Origin and Last-Event-ID and see `id:` lines. */
export class TestStream {
  readonly messages: SseMessage[] = [];
  comments = 0;
  retry: number | undefined;
  /** The id the browser would send as Last-Event-ID on reconnect. */
  lastEventId: string | undefined;
  readonly #controller = new AbortController();
  readonly done: Promise<void>;

  private constructor(readonly response: Response) {
    this.done = this.#read().catch(() => undefined);
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<TestStream> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
    const stream = new TestStream(response);
    stream.#controller.signal.addEventListener("abort", () => controller.abort());
    return stream;
  }

  async #read(): Promise<void> {
    if (!this.response.body) return;
    const reader = this.response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.#parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  /** Follows the EventSource rules: `id:` sets the last event id even when no data is dispatched. */
  #parse(block: string): void {
    let event = "message";
    const data: string[] = [];
    let id: string | undefined;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
      else if (field === "retry") this.retry = Number(value);
    }
    if (id !== undefined) this.lastEventId = id;
    if (data.length === 0) return;
    this.messages.push({ event, data: JSON.parse(data.join("\n")), id });
  }

  async next(match: (message: SseMessage) => boolean, ms = 10_000): Promise<SseMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching SSE message within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  jobEvents(): any[] {
    return this.messages.filter((message) => message.event === "job").map((message) => message.data);
  }

  close(): void {
    this.#controller.abort();
  }
}
