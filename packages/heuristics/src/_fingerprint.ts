// Token fingerprints: two independent 32-bit hashes of a token's text, so lookups by token (the
// syllable cache, the sentiment lexicon, the engagement model's words) need no string per token.
// Two 32-bit halves make a 64-bit key: among a few hundred thousand keys a false match has odds
// of about 1 in 10^8 over a whole run, far below anything a score could show.

export const H1_SEED = 0x811c9dc5;
export const H2_SEED = 0x9747b28c;

/** Step of the first hash (FNV-1a over UTF-16 code units). */
export function stepH1(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

/** Step of the second hash (a multiply-xorshift, unrelated to FNV). */
export function stepH2(h: number, c: number): number {
  const x = Math.imul(h ^ c, 0x5bd1e995);
  return x ^ (x >>> 15);
}

/** Murmur3's finalizer: spreads every input bit over the output (FNV's low bits are weak). */
export function finish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Both halves of a string's fingerprint, as the tokenizer computes them for a token. */
export function fingerprintOf(text: string): [number, number] {
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = stepH1(h1, c);
    h2 = stepH2(h2, c);
  }
  return [finish(h1), finish(h2)];
}

/** First half of the fingerprint of an adjacent token pair (`a b`), from the tokens' fingerprints. */
export function pairH1(a: number, b: number): number {
  return finish(Math.imul(a, 0x9e3779b1) ^ b ^ 0x3c6ef372);
}

/** Second half of the fingerprint of an adjacent token pair. */
export function pairH2(a: number, b: number): number {
  return finish(Math.imul(a ^ 0x7f4a7c15, 0x27d4eb2f) + b);
}

/**
 * An open-addressing map from fingerprints to 31-bit integers. Each slot is four adjacent int32s
 * (both halves, value, in use), so a lookup touches one cache line; no per-entry objects. It never
 * grows past `capacity` entries: callers clear it when `full`.
 */
export class FingerprintMap {
  private readonly bits: number;
  private readonly mask: number;
  private readonly slots: Int32Array;
  private readonly limit: number;
  size = 0;

  /** @param capacity most entries it holds; the table is sized for a load of at most one half. */
  constructor(capacity: number) {
    let bits = 4;
    while (1 << bits < capacity * 2) bits++;
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.slots = new Int32Array(4 << bits);
    this.limit = capacity;
  }

  get full(): boolean {
    return this.size >= this.limit;
  }

  /** Offset of the fingerprint's slot, or of the empty slot where it would go. */
  private slotOf(h1: number, h2: number): number {
    const slots = this.slots;
    // The halves are already finished hashes: the top bits of the first index the table.
    let slot = h1 >>> (32 - this.bits);
    for (;;) {
      const at = slot << 2;
      if (slots[at + 3] === 0 || (slots[at] === h1 && slots[at + 1] === h2)) return at;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The value stored for the fingerprint, or `absent`. */
  get(h1: number, h2: number, absent: number): number {
    const at = this.slotOf(h1, h2);
    return this.slots[at + 3] === 0 ? absent : this.slots[at + 2]!;
  }

  has(h1: number, h2: number): boolean {
    return this.slots[this.slotOf(h1, h2) + 3] !== 0;
  }

  /** Store an integer value; ignored when the map is full and the key is new. */
  set(h1: number, h2: number, value: number): void {
    const at = this.slotOf(h1, h2);
    const slots = this.slots;
    if (slots[at + 3] === 0) {
      if (this.size >= this.limit) return;
      slots[at] = h1;
      slots[at + 1] = h2;
      slots[at + 3] = 1;
      this.size++;
    }
    slots[at + 2] = value;
  }

  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }
}
