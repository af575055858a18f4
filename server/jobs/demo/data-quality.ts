import { z } from "zod";
import { defineJob } from "../define.ts";
import { codedError, DemoInput, formatCount, spreadSteps } from "./common.ts";

const CHECKS = ["not_null", "unique", "in_range", "fresh_within_24h", "matches_pattern"];
const COLUMNS = ["customers.email", "orders.total", "orders.placed_at", "products.sku", "invoices.due_date", "order_items.quantity", "customers.country"];

/** Named after the counter each outcome adds to. */
type Outcome = "passed" | "failed" | "warnings";

/** Failures listed by name in the log and the result; the counters carry the full tally. */
const LISTED_FAILURES = 20;

/** A fixed but varied mix of outcomes, so every run tells the same story: mostly green, a few red. */
function outcomeOf(rule: number): Outcome {
  if (rule % 13 === 7) return "failed";
  if (rule % 6 === 4) return "warnings";
  return "passed";
}

const ruleName = (rule: number): string => `${CHECKS[rule % CHECKS.length]}(${COLUMNS[rule % COLUMNS.length]})`;

/** A data-quality gate: run every rule of a suite against the warehouse and tally the outcomes. */
export const dataQuality = defineJob({
  type: "data-quality",
  input: DemoInput.extend({
    rules: z.number().int().min(1).max(100_000).default(40),
  }),
  async *run(ctx) {
    const { rules, durationMs, fail } = ctx.input;
    const counters: Record<Outcome, number> = { passed: 0, failed: 0, warnings: 0 };
    const failedRules: string[] = [];
    // The rule service goes away half-way through the suite.
    const failAt = Math.ceil(rules / 2);

    yield ctx.progress(0, rules, { unit: "rules", message: `Running ${formatCount(rules)} rules`, counters: { ...counters } });
    for await (const { from, to } of spreadSteps(ctx, rules, durationMs)) {
      if (fail && to >= failAt) {
        throw codedError("rules_unavailable", `Rule service stopped answering after ${formatCount(failAt)} of ${formatCount(rules)} rules`);
      }
      for (let rule = from; rule < to; rule++) {
        const outcome = outcomeOf(rule);
        counters[outcome]++;
        if (outcome === "failed" && failedRules.length < LISTED_FAILURES) {
          failedRules.push(ruleName(rule));
          yield ctx.log(`Rule ${ruleName(rule)} failed`, "warn");
        }
      }
      yield ctx.progress(to, rules, { unit: "rules", counters: { ...counters } });
    }
    return { rules, ...counters, failedRules };
  },
});
