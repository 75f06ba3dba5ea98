import type { SeededRng } from './rng.ts';

/** The sampler's whole state, stored in checkpoints. */
export interface MinibatchSamplerState {
  epoch: number;
  order: number[];
  /** How often each train id has been scheduled so far (padding prefers the least used). */
  useCounts: number[];
}

export function initialSamplerState(trainSize: number): MinibatchSamplerState {
  return { epoch: -1, order: [], useCounts: new Array<number>(trainSize).fill(0) };
}

/**
 * Epoch-shuffled minibatches, as in the reference: each epoch is a fresh shuffle of the train ids;
 * when the train set does not divide by the batch size, the epoch is padded with the least-used ids
 * (lowest id on ties) so every batch is full. Iteration `i` (0-based) takes slice `i·b mod |epoch|`.
 * Mutates `state` and draws from `rng` only when a new epoch starts.
 */
export function nextMinibatch(
  state: MinibatchSamplerState,
  rng: SeededRng,
  iteration: number,
  batchSize: number,
): number[] {
  const trainSize = state.useCounts.length;
  const start = iteration * batchSize;
  const epoch = Math.floor(start / Math.max(state.order.length, 1));
  if (epoch > state.epoch || state.order.length === 0) {
    const order = rng.shuffle(Array.from({ length: trainSize }, (_, i) => i));
    for (const id of order) state.useCounts[id] = (state.useCounts[id] ?? 0) + 1;
    const remainder = trainSize % batchSize;
    const pad = remainder === 0 ? 0 : batchSize - remainder;
    for (let p = 0; p < pad; p++) {
      let least = 0;
      for (let id = 1; id < trainSize; id++) {
        if ((state.useCounts[id] ?? 0) < (state.useCounts[least] ?? 0)) least = id;
      }
      order.push(least);
      state.useCounts[least] = (state.useCounts[least] ?? 0) + 1;
    }
    state.order = order;
    state.epoch += 1;
  }
  const offset = start % state.order.length;
  return state.order.slice(offset, offset + batchSize);
}
