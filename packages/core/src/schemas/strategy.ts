import { z } from 'zod';
import { PlatformSchema } from './post.ts';

/** A posting slot that did better than the strategy's own average, with its sample size. */
export const BestTimeSchema = z.object({
  /** Weekday in UTC (`Mon` … `Sun`) when the slot is a day. */
  day: z.string().optional(),
  /** Hour of day in UTC (0–23) when the slot is an hour. */
  hour: z.number().int().min(0).max(23).optional(),
  /** Engagement of the slot's posts over the strategy's posts overall, as a ratio like `lift`. */
  lift: z.number(),
  n: z.number().int(),
});

/**
 * A reusable strategy mined from traces and post features: `data` of a `strategy` record in
 * `traces/strategies.jsonl`, keyed by `strategy_id`. Consumers should use the records of the
 * latest `run_id` per platform and author (older runs' strategies that a new run no longer finds
 * keep their last record).
 */
export const StrategyDataSchema = z
  .object({
    strategy_id: z.string().min(1),
    name: z.string().min(1),
    /** Instructions the generator can follow. */
    brief: z.string().min(1),
    when_to_use: z.string(),
    platform: PlatformSchema.optional(),
    author: z.string().optional(),
    /** Best exemplars first. */
    example_post_ids: z.array(z.string()),
    /**
     * Multiplicative lift of the author's posts with this structure over all the author's original
     * posts: `exp` of the difference in mean log reach-normalized, period-relative engagement (a
     * ratio of geometric means; 1 = no better than usual), with a seeded bootstrap interval
     * (`low`, `high`, 95% by default) and `n` matching posts.
     */
    lift: z.object({ estimate: z.number(), low: z.number(), high: z.number(), n: z.number().int() }),
    features: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    best_times: z.array(BestTimeSchema).optional(),
    keywords: z.array(z.string()).optional(),
    /** `reer` when plans from REER traces informed it; `heuristic` when features and timing alone did. */
    mode: z.enum(['reer', 'heuristic']).optional(),
    /** Plan steps from the best non-leaking trajectory of the cluster (REER mode). */
    plan: z.array(z.string()).optional(),
    /** Exemplars (top posts) in the cluster. */
    exemplar_count: z.number().int().nonnegative().optional(),
    /** The mining run that produced it, and when. */
    run_id: z.string().optional(),
    mined_at: z.iso.datetime({ offset: false }).optional(),
  })
  .passthrough();
export type StrategyData = z.infer<typeof StrategyDataSchema>;
