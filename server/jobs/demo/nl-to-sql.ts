import { z } from "zod";
import { defineJob } from "../define.ts";
import { codedError, DemoInput, phaseDurations, spreadSteps } from "./common.ts";

const PHASES = [
  { name: "parse", label: "Understand the question", weight: 1 },
  { name: "schema-lookup", label: "Look up the schema", weight: 1 },
  { name: "generate", label: "Generate SQL", weight: 4 },
  { name: "validate", label: "Validate", weight: 1 },
  { name: "execute", label: "Run the query", weight: 2 },
];

// A replay: the model's answer is canned, the question only heads it as a comment.
const ANSWER = `SELECT c.name, SUM(o.total) AS revenue
FROM customers c
JOIN orders o ON o.customer_id = c.id
WHERE o.placed_at >= date_trunc('quarter', now()) - interval '3 months'
  AND o.placed_at < date_trunc('quarter', now())
GROUP BY c.name
ORDER BY revenue DESC
LIMIT 5;`;

const SAMPLE_ROWS = [
  { name: "Northwind Traders", revenue: 184_220.5 },
  { name: "Contoso Ltd", revenue: 152_904 },
  { name: "Fabrikam Inc", revenue: 131_377.25 },
  { name: "Tailspin Toys", revenue: 98_410 },
  { name: "Wide World Importers", revenue: 87_655.8 },
];

/** A text-to-SQL assistant: turn a question into a query, check it, run it, show a sample. */
export const nlToSql = defineJob({
  type: "nl-to-sql",
  input: DemoInput.extend({
    question: z.string().trim().min(1).max(500).default("top customers by revenue last quarter"),
  }),
  phases: PHASES,
  async *run(ctx) {
    const { question, durationMs, fail } = ctx.input;
    const time = phaseDurations(durationMs, PHASES);
    // Collapsed to one line so the question cannot break out of its SQL comment.
    const sql = `-- ${question.replace(/\s+/g, " ")}\n${ANSWER}`;
    // Words and the whitespace between them, the way a model streams its tokens.
    const tokens = sql.match(/\s+|[^\s]+/g) ?? [];

    yield ctx.phase("parse", "Reading the question");
    await ctx.sleep(time.parse);
    yield ctx.log("Intent: ranking; measure: revenue; period: last quarter");

    yield ctx.phase("schema-lookup", "Finding the tables the question needs");
    await ctx.sleep(time["schema-lookup"]);
    yield ctx.log("Using customers(id, name) and orders(customer_id, total, placed_at)");

    yield ctx.phase("generate", "Writing the query");
    for await (const { from, to } of spreadSteps(ctx, tokens.length, time.generate)) {
      yield ctx.output(tokens.slice(from, to).join(""));
      yield ctx.progress(to, tokens.length, { unit: "tokens" });
    }

    yield ctx.phase("validate", "Checking the query against the schema");
    await ctx.sleep(time.validate);
    if (fail) throw codedError("invalid_sql", 'Column "o.placed_at" does not exist; did you mean "o.ordered_at"?');
    yield ctx.log("EXPLAIN passed: index scan on orders_placed_at_idx");

    yield ctx.phase("execute", "Running the query on the read replica");
    await ctx.sleep(time.execute);
    yield ctx.log(`Returned ${SAMPLE_ROWS.length} rows`);
    return { sql, rows: SAMPLE_ROWS };
  },
});
