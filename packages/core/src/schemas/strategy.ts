import { z } from 'zod';
import { PlatformSchema } from './post.ts';

/** A reusable strategy mined from traces and post features: `data` of a `strategy` record. */
export const StrategyDataSchema = z
  .object({
    strategy_id: z.string().min(1),
    name: z.string().min(1),
    brief: z.string().min(1),
    when_to_use: z.string(),
    platform: PlatformSchema.optional(),
    author: z.string().optional(),
    example_post_ids: z.array(z.string()),
    /** Multiplicative lift over the author's baseline engagement, with a 95% interval. */
    lift: z.object({ estimate: z.number(), low: z.number(), high: z.number(), n: z.number().int() }),
    features: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    best_times: z
      .array(z.object({ day: z.string().optional(), hour: z.number().int().optional(), lift: z.number(), n: z.number().int() }))
      .optional(),
    keywords: z.array(z.string()).optional(),
  })
  .passthrough();
export type StrategyData = z.infer<typeof StrategyDataSchema>;
