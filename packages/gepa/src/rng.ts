/**
 * The engine's single source of randomness: mulberry32, a 32-bit generator whose whole state is one
 * integer, so a checkpoint can store it and a resumed run continues the exact same sequence.
 * Every random choice of a run (parent sampling, minibatch shuffles, merge pairs, reflection seeds)
 * draws from one instance, in a fixed order, so the same seed reproduces a run call for call.
 */
export class SeededRng {
  #state: number;

  constructor(seed: number) {
    // Spread small seeds (0, 1, 2…) so their first draws are unrelated.
    this.#state = (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
  }

  /** Restore a generator from `state` (as returned by `state`). */
  static fromState(state: number): SeededRng {
    const rng = new SeededRng(0);
    rng.#state = state >>> 0;
    return rng;
  }

  /** The whole generator state, for checkpoints. */
  get state(): number {
    return this.#state;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element, uniformly. Throws on an empty list. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('choice from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** One element with probability proportional to its (non-negative) weight; uniform when all are 0. */
  weightedChoice<T>(items: readonly T[], weights: readonly number[]): T {
    if (items.length === 0) throw new RangeError('choice from an empty list');
    const total = weights.reduce((a, w) => a + Math.max(0, w), 0);
    if (total <= 0) return this.choice(items);
    let u = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      u -= Math.max(0, weights[i] ?? 0);
      if (u < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** `k` distinct elements (by position) in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new RangeError(`cannot sample ${k} of ${items.length}`);
    const pool = [...items];
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = this.int(pool.length);
      out.push(pool[j] as T);
      pool.splice(j, 1);
    }
    return out;
  }
}
