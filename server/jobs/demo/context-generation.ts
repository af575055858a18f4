import { defineJob } from "../define.ts";
import { codedError, DemoInput, formatCount, phaseDurations, spreadSteps } from "./common.ts";

const PHASES = [
  { name: "scanning", label: "Scan files", weight: 1 },
  { name: "indexing", label: "Index symbols", weight: 2 },
  { name: "analyzing", label: "Analyze modules", weight: 3 },
  { name: "generating", label: "Generate context", weight: 3 },
  { name: "optimizing", label: "Fit the token budget", weight: 1 },
  { name: "complete", label: "Complete", weight: 0.5 },
];

const REPOSITORY = "acme/storefront";
const FILES = 184;
const MODULES = [
  { path: "src/catalog", purpose: "Products, prices and search", symbols: 512 },
  { path: "src/cart", purpose: "Cart state and promotions", symbols: 287 },
  { path: "src/checkout", purpose: "Payment flow and order creation", symbols: 604 },
  { path: "src/accounts", purpose: "Sign-in, profiles and addresses", symbols: 391 },
  { path: "src/shipping", purpose: "Rates, labels and tracking", symbols: 338 },
  { path: "src/shared", purpose: "HTTP client, money and date helpers", symbols: 299 },
];
// With `fail`, the analyzer chokes on a file in this module, part-way through the job.
const FAILING_MODULE = "src/checkout";
const SYMBOLS = MODULES.reduce((sum, module) => sum + module.symbols, 0);
const DRAFT_TOKENS = 48_600;
const TOKEN_BUDGET = 32_000;
const FINAL_TOKENS = 31_200;

/** Builds an AI assistant's context pack for a code base: what is where, and how the code is written. */
export const contextGeneration = defineJob({
  type: "context-generation",
  input: DemoInput,
  phases: PHASES,
  async *run(ctx) {
    const { durationMs, fail } = ctx.input;
    const time = phaseDurations(durationMs, PHASES);
    // Sent whole with every report, so the newest report alone gives the full picture.
    const counters = { files: 0, symbols: 0, tokens: 0 };

    yield ctx.phase("scanning", `Walking ${REPOSITORY}`);
    for await (const { to } of spreadSteps(ctx, FILES, time.scanning)) {
      counters.files = to;
      yield ctx.progress(to, FILES, { unit: "files", counters: { ...counters } });
    }

    yield ctx.phase("indexing", "Extracting symbols");
    for await (const { to } of spreadSteps(ctx, FILES, time.indexing)) {
      counters.symbols = Math.round((SYMBOLS * to) / FILES);
      yield ctx.progress(to, FILES, { unit: "files", counters: { ...counters } });
    }

    yield ctx.phase("analyzing", `Summarizing ${MODULES.length} modules`);
    for await (const { from, to } of spreadSteps(ctx, MODULES.length, time.analyzing)) {
      for (const module of MODULES.slice(from, to)) {
        if (fail && module.path === FAILING_MODULE) {
          throw codedError("parse_error", `Could not parse ${FAILING_MODULE}/payment.ts: unexpected token at 212:17`);
        }
        yield ctx.log(`Analyzed ${module.path}: ${formatCount(module.symbols)} symbols`);
      }
      yield ctx.progress(to, MODULES.length, { unit: "modules" });
    }

    yield ctx.phase("generating", "Writing module summaries and conventions");
    for await (const { to } of spreadSteps(ctx, DRAFT_TOKENS, time.generating)) {
      counters.tokens = to;
      yield ctx.progress(to, DRAFT_TOKENS, { unit: "tokens", counters: { ...counters } });
    }

    yield ctx.phase("optimizing", `Trimming to the ${formatCount(TOKEN_BUDGET)}-token budget`);
    const trimmable = DRAFT_TOKENS - FINAL_TOKENS;
    for await (const { to } of spreadSteps(ctx, trimmable, time.optimizing)) {
      counters.tokens = DRAFT_TOKENS - to;
      yield ctx.progress(to, trimmable, { unit: "tokens", counters: { ...counters } });
    }

    yield ctx.phase("complete", "Context ready");
    await ctx.sleep(time.complete);
    return {
      repository: REPOSITORY,
      statistics: { ...counters },
      modules: MODULES,
      conventions: ["TypeScript strict, ES modules", "Money as integer cents", "Tests next to the code, *.test.ts"],
    };
  },
});
