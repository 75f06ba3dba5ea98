import { z } from 'zod';

export const RECORD_TYPES = [
  'post',
  'trace',
  'strategy',
  'candidate',
  'evaluation',
  'checkpoint',
] as const;
export const RecordTypeSchema = z.enum(RECORD_TYPES);
export type RecordType = z.infer<typeof RecordTypeSchema>;

/**
 * The envelope every stored line has. `data` is validated by the schema of its `type`
 * (see `RECORD_DATA_SCHEMAS`); `metadata` carries provenance (source file and line, detected
 * format, models and usage) and never secrets.
 */
export const RecordEnvelopeSchema = z
  .object({
    id: z.uuid({ version: 'v4' }),
    timestamp: z.iso.datetime({ offset: false }),
    type: RecordTypeSchema,
    source: z.string().min(1),
    data: z.unknown(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .strict();
export type RecordEnvelope = z.infer<typeof RecordEnvelopeSchema>;
