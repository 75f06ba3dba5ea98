import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, isReerError } from '@reer/core';
import { TraceStore, type StoreOptions } from '@reer/trace-store';
import { reserveForImport } from './reserve.ts';
import type { SinkCounts, SinkReply, SinkRequest } from './sink.ts';

// The store side of a large ingest: hashing, dedupe against the index, writing and fsync happen
// here, while the parent thread parses, normalizes, validates and serializes. Requests are handled
// strictly in order.
const { dataDir, storeOptions } = workerData as { dataDir: string; storeOptions: StoreOptions };
const port = parentPort;
if (!port) throw new Error('sink-worker must run as a worker thread');

const opened = TraceStore.open(dataDir, storeOptions);

function failure(seq: number, error: unknown): SinkReply {
  if (isReerError(error)) return { seq, ok: false, error: { code: error.code, message: error.message, hint: error.hint } };
  return { seq, ok: false, error: { message: error instanceof Error ? (error.stack ?? error.message) : errorMessage(error) } };
}

// Writes that queue up while the previous one is syncing go to the store as one upsert (one
// lock, one fsync), so a fast reader is not held to one fsync per batch.
let pending: Extract<SinkRequest, { kind: 'write' }>[] = [];
let running: Promise<void> | undefined;

async function drain(): Promise<void> {
  let store: TraceStore;
  try {
    store = await opened;
  } catch (error: unknown) {
    for (const r of pending.splice(0)) port?.postMessage(failure(r.seq, error));
    return;
  }
  while (pending.length > 0) {
    const requests = pending;
    pending = [];
    try {
      const { outcomes } = await store.upsertEncoded(
        'posts',
        requests.map((r) => r.batch),
      );
      let at = 0;
      for (const r of requests) {
        const counts: SinkCounts = { new: 0, updated: 0, unchanged: 0 };
        for (let i = 0; i < r.batch.count; i++, at++) {
          const code = outcomes[at];
          if (code === 0) counts.new++;
          else if (code === 1) counts.updated++;
          else counts.unchanged++;
        }
        // The batch's bytes go back for the reader's next batch (the store keeps no view of them).
        const buffer = r.batch.bytes.buffer as ArrayBuffer;
        port?.postMessage({ seq: r.seq, ok: true, counts, buffer } satisfies SinkReply, [buffer]);
      }
    } catch (error: unknown) {
      for (const r of requests) port?.postMessage(failure(r.seq, error));
    }
  }
}

function kick(): void {
  running ??= drain().finally(() => {
    running = undefined;
  });
}

port.on('message', (request: SinkRequest) => {
  if (request.kind === 'write') {
    pending.push(request);
    kick();
    return;
  }
  if (request.kind === 'reserve') {
    // A sizing hint: a store that failed to open reports that through the writes.
    opened.then((store) => reserveForImport(store, request.rows)).catch(() => undefined);
    return;
  }
  const closeAfterWrites = async () => {
    while (running) await running;
    try {
      await (await opened).close();
      port.postMessage({ seq: request.seq, ok: true } satisfies SinkReply);
    } catch (error: unknown) {
      port.postMessage(failure(request.seq, error));
    }
  };
  void closeAfterWrites();
});
