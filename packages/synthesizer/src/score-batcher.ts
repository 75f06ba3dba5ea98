import { ReerError } from '@reer/core';
import type { ScoreRequest, ScoreResult } from '@reer/lm-registry';
import type { ScoringLm } from './reer-score.ts';

interface Pending {
  request: ScoreRequest;
  resolve: (result: ScoreResult) => void;
  reject: (error: unknown) => void;
}

/** Counts of the `score` calls a batcher made. */
export interface BatcherStats {
  calls: number;
  requests: number;
}

/**
 * Coalesces `score` requests made by concurrent searches in the same tick into calls of at most
 * `maxBatch` requests, so a backend that scores a batch in one forward pass sees batches.
 */
export function createScoreBatcher(lm: ScoringLm, maxBatch: number): ScoringLm & { readonly stats: BatcherStats } {
  const queue: Pending[] = [];
  const stats: BatcherStats = { calls: 0, requests: 0 };
  let scheduled = false;

  const send = (batch: Pending[]) => {
    stats.calls++;
    stats.requests += batch.length;
    lm.score(batch.map((p) => p.request)).then(
      (results) => {
        if (results.length !== batch.length) {
          const error = new ReerError('E_PROVIDER', `${lm.uri}: score returned ${results.length} results for ${batch.length} requests`);
          for (const p of batch) p.reject(error);
          return;
        }
        for (const [i, p] of batch.entries()) p.resolve(results[i] as ScoreResult);
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  };
  const flush = () => {
    scheduled = false;
    while (queue.length > 0) send(queue.splice(0, maxBatch));
  };

  return {
    uri: lm.uri,
    capabilities: lm.capabilities,
    stats,
    score(requests) {
      const results = requests.map(
        (request) =>
          new Promise<ScoreResult>((resolve, reject) => {
            queue.push({ request, resolve, reject });
          }),
      );
      if (queue.length >= maxBatch) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return Promise.all(results);
    },
  };
}
