import { configSection, type LoadedConfig } from '@reer/core';
import { z } from 'zod';

/** The `ingest:` section of the config. */
export const IngestConfigSchema = z
  .object({
    /**
     * Files at least this large are written through a worker thread (parsing overlaps the store's
     * work); null = never. Off by default: on the 2-core reference machine the worker costs more
     * CPU and memory than it saves (see docs/benchmarks.md#ingest).
     */
    worker_min_bytes: z.number().int().nonnegative().nullable().default(null),
    /** The envelope `source` of ingested posts is `<source>:<format>`. */
    source: z.string().min(1).default('social-collect'),
  })
  .strict();
export type IngestConfig = z.infer<typeof IngestConfigSchema>;

export function ingestConfig(config: LoadedConfig): IngestConfig {
  return configSection(config, 'ingest', IngestConfigSchema);
}
