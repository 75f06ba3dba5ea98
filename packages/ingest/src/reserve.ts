import type { TraceStore } from '@reer/trace-store';

/**
 * Size the store's index for an import of about `rows` posts, taken as if the file overlapped
 * what is stored as far as it can: a re-import adds nothing, and sizing for it anyway doubled the
 * index's tables (+16 MB at a million posts). A hint only; both sinks use it.
 */
export async function reserveForImport(store: TraceStore, rows: number): Promise<void> {
  const stored = await store.count('posts');
  if (rows > stored) await store.reserve('posts', rows - stored);
}
