import { z } from "zod";
import { defineJob } from "../define.ts";
import { codedError, DemoInput, formatCount, splitDuration, spreadSteps } from "./common.ts";

/** A nightly export: read every record from a source database and write them to a CSV file. */
export const extraction = defineJob({
  type: "extraction",
  input: DemoInput.extend({
    records: z.number().int().min(1).max(1_000_000_000).default(50_000),
  }),
  // Reading again from the start is harmless, so a run cut short by a lost hub instance starts over.
  restartable: true,
  async *run(ctx) {
    const { records, durationMs, fail } = ctx.input;
    const file = `extract-${ctx.job.id}.csv`;
    const time = splitDuration(durationMs, { connect: 1, read: 8, write: 1 });
    // The source "times out" part-way, the way a long read on a busy replica does.
    const failAt = Math.ceil(records * 0.6);

    yield ctx.progress(0, records, { unit: "records", message: "Connecting to source" });
    await ctx.sleep(time.connect);
    yield ctx.log("Connected to orders_db (read replica)");

    yield ctx.progress(0, records, { unit: "records", message: "Reading records" });
    let quartersLogged = 0;
    for await (const { to } of spreadSteps(ctx, records, time.read)) {
      if (fail && to >= failAt) {
        throw codedError("source_timeout", `orders_db stopped answering after ${formatCount(failAt)} of ${formatCount(records)} records (read timeout 30 s)`);
      }
      yield ctx.progress(to, records, { unit: "records" });
      // A log line per quarter keeps the log readable whatever the record count.
      const quarters = Math.floor((to * 4) / records);
      if (quarters > quartersLogged) {
        quartersLogged = quarters;
        yield ctx.log(`Read ${formatCount(to)} of ${formatCount(records)} records`);
      }
    }

    yield ctx.progress(records, records, { unit: "records", message: `Writing ${file}` });
    await ctx.sleep(time.write);
    yield ctx.log(`Wrote ${formatCount(records)} records to ${file}`);
    return { records, file };
  },
});
