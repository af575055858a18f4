type LabelValues = Record<string, string>;

/** A Prometheus counter or gauge with optional labels. */
class Metric {
  readonly #values = new Map<string, number>();

  constructor(readonly name: string, readonly help: string, readonly kind: "counter" | "gauge") {}

  inc(labels: LabelValues = {}, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  dec(labels: LabelValues = {}, by = 1): void {
    this.inc(labels, -by);
  }

  set(value: number, labels: LabelValues = {}): void {
    this.#values.set(labelKey(labels), value);
  }

  /** A handle on one label set, for hot paths: the label key is built once. */
  labelled(labels: LabelValues): { inc(by?: number): void } {
    const key = labelKey(labels);
    return { inc: (by = 1) => this.#values.set(key, (this.#values.get(key) ?? 0) + by) };
  }

  value(labels: LabelValues = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`];
    if (this.#values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.#values) lines.push(`${this.name}${key} ${value}`);
    return lines.join("\n");
  }
}

function labelKey(labels: LabelValues): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([name, value]) => `${name}="${value.replace(/["\\\n]/g, "_")}"`).join(",")}}`;
}

/** Every figure `/metrics` reports. */
export class Metrics {
  readonly connections = new Metric("jobcast_connections", "Open client connections by transport.", "gauge");
  readonly subscriptions = new Metric("jobcast_subscriptions", "Active channel subscriptions.", "gauge");
  readonly eventsIn = new Metric("jobcast_reports_received_total", "Reports received from handlers and outside workers.", "counter");
  readonly eventsCommitted = new Metric("jobcast_events_committed_total", "Job events committed, by kind.", "counter");
  readonly eventsOut = new Metric("jobcast_events_sent_total", "Event messages written to clients, by transport.", "counter");
  readonly coalesced = new Metric("jobcast_progress_coalesced_total", "Progress samples replaced by a newer one before being sent or committed.", "counter");
  readonly queueBytes = new Metric("jobcast_queue_bytes", "Bytes waiting in per-connection send queues.", "gauge");
  readonly disconnects = new Metric("jobcast_disconnects_total", "Connections closed, by reason.", "counter");
  readonly errors = new Metric("jobcast_client_errors_total", "Errors answered to clients, by code.", "counter");
  readonly rateLimited = new Metric("jobcast_rate_limited_total", "Submissions, frames and connections refused by a limit, by what.", "counter");
  readonly jobsActive = new Metric("jobcast_jobs_running", "Jobs this instance runs in-process.", "gauge");

  render(extra: Record<string, number | string> = {}): string {
    const own = [
      this.connections,
      this.subscriptions,
      this.eventsIn,
      this.eventsCommitted,
      this.eventsOut,
      this.coalesced,
      this.queueBytes,
      this.disconnects,
      this.errors,
      this.rateLimited,
      this.jobsActive,
    ].map((metric) => metric.render());
    const engine = Object.entries(extra)
      .filter((entry): entry is [string, number] => typeof entry[1] === "number")
      .map(([name, value]) => `# TYPE jobcast_engine_${name} gauge\njobcast_engine_${name} ${value}`);
    return [...own, ...engine].join("\n") + "\n";
  }
}
