/**
 * A writer process for the store's concurrency and crash tests:
 *   node --import tsx append-child.ts <dataDir> <writer> <batches|forever> <batchSize> [textBytes]
 * Appends posts `<writer>-<seq>` in batches and prints `ok <records acknowledged>` after each
 * append resolves, so the parent knows which records were durably committed.
 */
import { TraceStore } from '../src/index.ts';
import { postRecord } from './records.ts';

const [dataDir, writer, batchesArg, batchSizeArg, textBytesArg] = process.argv.slice(2);
if (!dataDir || !writer || !batchesArg || !batchSizeArg) throw new Error('usage: append-child <dataDir> <writer> <batches|forever> <batchSize> [textBytes]');
const batches = batchesArg === 'forever' ? Number.POSITIVE_INFINITY : Number(batchesArg);
const batchSize = Number(batchSizeArg);
const textBytes = Number(textBytesArg ?? 40);

const store = await TraceStore.open(dataDir, { lockStaleMs: 2000, lockTimeoutMs: 60_000 });
let seq = 0;
for (let b = 0; b < batches; b++) {
  const batch = [];
  for (let i = 0; i < batchSize; i++) batch.push(postRecord(`${writer}-${seq++}`, 1, textBytes));
  await store.append('posts', batch);
  process.stdout.write(`ok ${seq}\n`);
}
await store.close();
