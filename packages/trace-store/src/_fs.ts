import { type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (cause) {
    if ((cause as { code?: unknown }).code === 'ENOENT') return null;
    throw cause;
  }
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
