import { z } from "zod";
import type { JobContext, PhaseInput } from "../define.ts";

const HOUR_MS = 3_600_000;

/** Knobs every demo job accepts; each type extends it with its own. Unknown keys are rejected. */
export const DemoInput = z.strictObject({
  /** How long the whole job takes, not counting time spent paused. */
  durationMs: z.number().int().min(0).max(HOUR_MS).default(6000),
  /** Make the job fail part-way, the way the real flow would. */
  fail: z.boolean().default(false),
});

/** An Error carrying the machine-readable `code` the job's `error.code` shows. */
export function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** Splits a duration between named parts in proportion to their weights. */
export function splitDuration<Part extends string>(durationMs: number, weights: Record<Part, number>): Record<Part, number> {
  const entries = Object.entries<number>(weights);
  const totalWeight = entries.reduce((sum, [, weight]) => sum + weight, 0);
  return Object.fromEntries(entries.map(([part, weight]) => [part, (durationMs * weight) / totalWeight])) as Record<Part, number>;
}

/** Splits a duration between a job's phases by their weights (unweighted phases count as 1). */
export function phaseDurations(durationMs: number, phases: readonly PhaseInput[]): Record<string, number> {
  return splitDuration(durationMs, Object.fromEntries(phases.map((phase) => [phase.name, phase.weight ?? 1])));
}

/** Reports closer together than this show nothing a viewer can see; the hub would coalesce them anyway. */
const TICK_MS = 50;

/** Steps [from, to) finished during one tick; `to` is the running total. */
export interface Tick {
  from: number;
  to: number;
}

/**
 * Spreads `steps` units of work evenly over `durationMs`, sleeping through the job's (pause- and
 * cancel-aware) clock. Ticks are at least TICK_MS apart, so reporting once per tick stays under
 * ~20 reports a second however many steps there are.
 */
export async function* spreadSteps(ctx: Pick<JobContext<unknown>, "sleep">, steps: number, durationMs: number): AsyncGenerator<Tick, void, void> {
  const ticks = Math.max(1, Math.min(steps, Math.floor(durationMs / TICK_MS)));
  let done = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    await ctx.sleep(durationMs / ticks);
    const to = Math.round((steps * tick) / ticks);
    yield { from: done, to };
    done = to;
  }
}

export const formatCount = (count: number): string => count.toLocaleString("en-US");
