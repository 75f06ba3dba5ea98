import { existsSync, readFileSync } from 'node:fs';
import { ReerError, formatZodIssues } from '@reer/core';
import { z } from 'zod';

/**
 * `data/models/tuned_pipeline.json`, written by `social-run tune`. Only `components` is needed to
 * run the program; the rest (scores, budget, lineage) is for people and audits.
 */
export const TunedPipelineSchema = z
  .object({
    components: z.object({ instruction: z.string().min(1) }).catchall(z.string()),
  })
  .passthrough();
export type TunedPipeline = z.infer<typeof TunedPipelineSchema>;

/** Loads a tuned program; `null` when the file does not exist (the seed program is used). */
export function loadTunedPipeline(file: string): TunedPipeline | null {
  if (!existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: not valid JSON`, {
      hint: 'Re-run `social-run tune`, or point --pipeline at another file.',
      cause,
    });
  }
  const parsed = TunedPipelineSchema.safeParse(value);
  if (!parsed.success) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: ${formatZodIssues(parsed.error).join('; ')}`, {
      hint: 'Re-run `social-run tune`, or point --pipeline at another file.',
    });
  }
  return parsed.data;
}
