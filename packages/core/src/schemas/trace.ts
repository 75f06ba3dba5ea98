import { z } from 'zod';
import { PlatformSchema, PostMetricsSchema } from './post.ts';

/** One scored candidate trajectory in a REER search. */
export const SearchStepSchema = z.object({
  /** Segment index rewritten (-1 for the initial trajectory). */
  segment: z.number().int().min(-1),
  candidate: z.string(),
  score: z.number(),
  accepted: z.boolean(),
});

/** A REER trace: `data` of a `trace` record in `traces/traces.jsonl`. */
export const TraceDataSchema = z
  .object({
    post_key: z.string().min(1),
    platform: PlatformSchema,
    post_id: z.string().min(1),
    author: z.string(),
    metrics: PostMetricsSchema,
    /** Reach-normalized engagement the exemplar was chosen by. */
    engagement: z.number(),
    query: z.string(),
    query_source: z.enum(['lm', 'extracted']),
    post_text: z.string(),
    trajectory: z.string(),
    segments: z.array(z.string()),
    initial_score: z.number().nullable(),
    final_score: z.number().nullable(),
    history: z.array(SearchStepSchema),
    leak: z.object({ flagged: z.boolean(), overlap: z.number() }),
    models: z.object({ generator: z.string(), scorer: z.string().nullable() }),
    mode: z.enum(['reer', 'heuristic']),
  })
  .passthrough();
export type TraceData = z.infer<typeof TraceDataSchema>;
