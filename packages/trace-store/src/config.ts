import { configSection, type LoadedConfig, type Logger } from '@reer/core';
import { z } from 'zod';
import type { StoreOptions } from './types.ts';

/** The `store:` section of the config. */
export const StoreConfigSchema = z
  .object({
    /** Rotate a collection's active file into `archives/` once it reaches this many bytes. */
    rotate_bytes: z.number().int().positive().default(256 * 1024 * 1024),
    /** How long a writer waits for another process's lock before failing with E_STORE_LOCKED. */
    lock_timeout_ms: z.number().int().positive().default(30_000),
    /** A lock not refreshed for this long is considered left by a dead process (at least 2000). */
    lock_stale_ms: z.number().int().min(2000).default(10_000),
    /** How many backups `backup` keeps. */
    backup_retention: z.number().int().min(1).default(7),
  })
  .strict();
export type StoreConfig = z.infer<typeof StoreConfigSchema>;

/** `TraceStore.open` options from the loaded config's `store:` section. */
export function storeOptionsFromConfig(config: LoadedConfig, logger?: Logger): StoreOptions {
  const section = configSection(config, 'store', StoreConfigSchema);
  return {
    logger,
    rotateBytes: section.rotate_bytes,
    lockTimeoutMs: section.lock_timeout_ms,
    lockStaleMs: section.lock_stale_ms,
    backupRetention: section.backup_retention,
  };
}
