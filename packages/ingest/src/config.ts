import { configSection, type LoadedConfig } from '@reer/core';
import { z } from 'zod';

/** The `ingest:` section of the config. */
export const IngestConfigSchema = z
  .object({
    /**
     * CSV files at least this large are ingested with the store in a worker thread: this thread
     * parses, normalizes, validates and serializes; the worker hashes, dedupes, appends and fsyncs.
     * null = never, 0 = always. Below 64 MiB the worker's start-up (~1 s) outweighs the overlap
     * (see docs/benchmarks.md#ingest).
     */
    worker_min_bytes: z.number().int().nonnegative().nullable().default(64 * 1024 * 1024),
    /** The envelope `source` of ingested posts is `<source>:<format>`. */
    source: z.string().min(1).default('social-collect'),
  })
  .strict();
export type IngestConfig = z.infer<typeof IngestConfigSchema>;

export function ingestConfig(config: LoadedConfig): IngestConfig {
  return configSection(config, 'ingest', IngestConfigSchema);
}
