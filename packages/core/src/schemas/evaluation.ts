import { z } from 'zod';

/** A saved evaluation (a `social-eval` result or a backtest): `data` of an `evaluation` record. */
export const EvaluationDataSchema = z
  .object({
    kind: z.string().min(1),
    subject: z.string(),
    metrics: z.record(z.string(), z.number().nullable()),
  })
  .passthrough();
export type EvaluationData = z.infer<typeof EvaluationDataSchema>;
