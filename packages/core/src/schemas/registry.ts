import type { z } from 'zod';
import { CandidateDataSchema } from './candidate.ts';
import { CheckpointDataSchema } from './checkpoint.ts';
import { EvaluationDataSchema } from './evaluation.ts';
import { PostDataSchema, postKey } from './post.ts';
import type { RecordType } from './record.ts';
import { StrategyDataSchema } from './strategy.ts';
import { TraceDataSchema } from './trace.ts';

/** The schema of `data` for each record type; the store validates every write and read with it. */
export const RECORD_DATA_SCHEMAS: Record<RecordType, z.ZodType> = {
  post: PostDataSchema,
  trace: TraceDataSchema,
  strategy: StrategyDataSchema,
  candidate: CandidateDataSchema,
  evaluation: EvaluationDataSchema,
  checkpoint: CheckpointDataSchema,
};

/**
 * The "latest wins" key of a record: versions of one post (re-ingested with fresher metrics),
 * re-mined traces of one post, or re-mined strategies share a key. Undefined means every record
 * stands alone.
 */
export function recordKey(type: RecordType, data: unknown): string | undefined {
  const d = data as Record<string, unknown>;
  switch (type) {
    case 'post':
      return postKey(d as { platform: 'x'; post_id: string });
    case 'trace':
      return typeof d.post_key === 'string' ? `trace:${d.post_key}` : undefined;
    case 'strategy':
      return typeof d.strategy_id === 'string' ? `strategy:${d.strategy_id}` : undefined;
    default:
      return undefined;
  }
}
