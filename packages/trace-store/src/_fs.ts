import { type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * `stat`, or null when the path does not exist. Synchronous on purpose: a stat takes microseconds,
 * while a thread-pool round trip costs far more on a busy machine, and every read checks freshness.
 */
export async function statOrNull(path: string): Promise<Stats | null> {
  return statSync(path, { throwIfNoEntry: false }) ?? null;
}

/** Make a rename or a file creation in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A sortable, filename-safe UTC stamp: `20240131T120000123Z`. */
export function fileStamp(date = new Date()): string {
  return date.toISOString().replace(/[-:.]/g, '');
}
