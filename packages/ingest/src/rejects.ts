import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RejectedRow } from './types.ts';

/**
 * Appends rejected rows to `social/rejects.jsonl`, one JSON object per line with the run id, file,
 * line, reason and the row's cells, so nothing a user exported is lost. Opened lazily: a run
 * without rejects leaves no file behind. Synced to disk on close.
 */
export class RejectsWriter {
  private handle: FileHandle | undefined;
  private readonly timestamp = new Date().toISOString();
  // Writes come from several in-flight batches; chaining keeps lines whole and in order.
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly runId: string,
  ) {}

  write(rows: readonly RejectedRow[]): Promise<void> {
    if (rows.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.append(rows));
    return this.chain;
  }

  private async append(rows: readonly RejectedRow[]): Promise<void> {
    if (!this.handle) {
      await mkdir(dirname(this.file), { recursive: true });
      this.handle = await open(this.file, 'a');
    }
    const text = rows.map((r) => `${JSON.stringify({ timestamp: this.timestamp, run_id: this.runId, ...r })}\n`).join('');
    await this.handle.write(text);
  }

  async close(): Promise<void> {
    await this.chain;
    if (!this.handle) return;
    const handle = this.handle;
    this.handle = undefined;
    await handle.sync();
    await handle.close();
  }
}
