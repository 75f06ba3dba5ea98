const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;
const ARENA_BITS = 22;
const ARENA_SIZE = 1 << ARENA_BITS;
const WIDE = 0x80000000;
/** Set on a one-byte key with a character above U+007F: its UTF-8 differs from its stored bytes. */
const NOT_ASCII = 0x40000000;
const LENGTH_MASK = 0x3fffffff;

class KeyChunk {
  readonly hash = new Uint32Array(CHUNK_SIZE);
  /** Arena chunk << ARENA_BITS | byte offset. */
  readonly loc = new Uint32Array(CHUNK_SIZE);
  /** Characters, with WIDE set when stored as UTF-16 (any character above U+00FF). */
  readonly len = new Uint32Array(CHUNK_SIZE);
  readonly latest = new Int32Array(CHUNK_SIZE);
  readonly content = new Float64Array(CHUNK_SIZE);
}

function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * "Latest wins" keys → newest ordinal and its content hash. An open-addressing table over key
 * characters kept in byte arenas: about 50 bytes per key, off the JS heap, where a
 * `Map<string, …>` costs about 100 bytes per key and makes every major GC walk a million strings.
 */
export class KeyTable {
  size = 0;
  private readonly chunks: KeyChunk[] = [];
  private readonly arenas: Buffer[] = [];
  private arenaUsed = ARENA_SIZE;
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;

  private chunkOf(keyIndex: number): KeyChunk {
    const chunk = this.chunks[keyIndex >>> CHUNK_BITS];
    if (!chunk) throw new RangeError(`key ${keyIndex} out of range`);
    return chunk;
  }

  private equals(keyIndex: number, key: string, hash: number): boolean {
    const chunk = this.chunkOf(keyIndex);
    const at = keyIndex & CHUNK_MASK;
    if (chunk.hash[at] !== hash) return false;
    const len = chunk.len[at] ?? 0;
    const wide = (len & WIDE) !== 0;
    const chars = len & LENGTH_MASK;
    if (chars !== key.length) return false;
    const loc = chunk.loc[at] ?? 0;
    const arena = this.arenas[loc >>> ARENA_BITS];
    if (!arena) return false;
    let p = loc & (ARENA_SIZE - 1);
    if (wide) {
      for (let i = 0; i < chars; i++, p += 2) if (((arena[p] ?? 0) | ((arena[p + 1] ?? 0) << 8)) !== key.charCodeAt(i)) return false;
    } else {
      for (let i = 0; i < chars; i++, p++) if (arena[p] !== key.charCodeAt(i)) return false;
    }
    return true;
  }

  /** The key's index, or -1. */
  find(key: string): number {
    const hash = hashKey(key);
    let slot = hash & this.mask;
    for (;;) {
      const held = this.slots[slot] ?? 0;
      if (held === 0) return -1;
      if (this.equals(held - 1, key, hash)) return held - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The key's index, adding it (with no versions yet: `latestOf` -1) when new. */
  insert(key: string): number {
    const hash = hashKey(key);
    let slot = hash & this.mask;
    for (;;) {
      const held = this.slots[slot] ?? 0;
      if (held === 0) break;
      if (this.equals(held - 1, key, hash)) return held - 1;
      slot = (slot + 1) & this.mask;
    }
    const keyIndex = this.size++;
    let chunk = this.chunks[keyIndex >>> CHUNK_BITS];
    if (!chunk) {
      chunk = new KeyChunk();
      this.chunks.push(chunk);
    }
    const at = keyIndex & CHUNK_MASK;
    let wide = false;
    let ascii = true;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c > 0x7f) ascii = false;
      if (c > 0xff) {
        wide = true;
        break;
      }
    }
    if (key.length > LENGTH_MASK) throw new RangeError(`key of ${key.length} characters is too long to index`);
    const bytes = wide ? key.length * 2 : key.length;
    if (this.arenaUsed + bytes > ARENA_SIZE) {
      if (bytes > ARENA_SIZE) throw new RangeError(`key of ${key.length} characters is too long to index`);
      this.arenas.push(Buffer.alloc(ARENA_SIZE));
      this.arenaUsed = 0;
    }
    const arena = this.arenas[this.arenas.length - 1] as Buffer;
    let p = this.arenaUsed;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (wide) {
        arena[p++] = c & 0xff;
        arena[p++] = c >>> 8;
      } else {
        arena[p++] = c;
      }
    }
    chunk.hash[at] = hash;
    chunk.loc[at] = (((this.arenas.length - 1) << ARENA_BITS) | this.arenaUsed) >>> 0;
    chunk.len[at] = (wide ? WIDE | key.length : ascii ? key.length : NOT_ASCII | key.length) >>> 0;
    chunk.latest[at] = -1;
    chunk.content[at] = 0;
    this.arenaUsed = p;
    this.slots[slot] = keyIndex + 1;
    if (this.size * 2 > this.slots.length) this.grow();
    return keyIndex;
  }

  /** Make room for `total` keys without rehashing on the way. */
  reserve(total: number): void {
    if (total * 2 <= this.slots.length) return;
    let size = this.slots.length;
    while (size < total * 2) size *= 2;
    this.grow(size);
  }

  private grow(size = this.slots.length * 2): void {
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let keyIndex = 0; keyIndex < this.size; keyIndex++) {
      let slot = (this.chunkOf(keyIndex).hash[keyIndex & CHUNK_MASK] ?? 0) & this.mask;
      while ((this.slots[slot] ?? 0) !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = keyIndex + 1;
    }
  }

  keyAt(keyIndex: number): string {
    const chunk = this.chunkOf(keyIndex);
    const at = keyIndex & CHUNK_MASK;
    const len = chunk.len[at] ?? 0;
    const loc = chunk.loc[at] ?? 0;
    const arena = this.arenas[loc >>> ARENA_BITS] as Buffer;
    const start = loc & (ARENA_SIZE - 1);
    const chars = len & LENGTH_MASK;
    return (len & WIDE) !== 0 ? arena.toString('utf16le', start, start + chars * 2) : arena.toString('latin1', start, start + chars);
  }

  /** Bytes of the key as UTF-8. */
  utf8Length(keyIndex: number): number {
    const len = this.chunkOf(keyIndex).len[keyIndex & CHUNK_MASK] ?? 0;
    return (len & (WIDE | NOT_ASCII)) === 0 ? len : Buffer.byteLength(this.keyAt(keyIndex), 'utf8');
  }

  /**
   * Write the key as UTF-8 into `target` at `at`; returns the bytes written. An ASCII key (every
   * post key) is copied from the arena without becoming a string: writing a sidecar of a million
   * posts made two million of them.
   */
  writeUtf8(keyIndex: number, target: Buffer, at: number): number {
    const chunk = this.chunkOf(keyIndex);
    const len = chunk.len[keyIndex & CHUNK_MASK] ?? 0;
    if ((len & (WIDE | NOT_ASCII)) !== 0) return target.write(this.keyAt(keyIndex), at, 'utf8');
    const loc = chunk.loc[keyIndex & CHUNK_MASK] ?? 0;
    const arena = this.arenas[loc >>> ARENA_BITS] as Buffer;
    const start = loc & (ARENA_SIZE - 1);
    for (let i = 0; i < len; i++) target[at + i] = arena[start + i] ?? 0;
    return len;
  }

  latestOf(keyIndex: number): number {
    return this.chunkOf(keyIndex).latest[keyIndex & CHUNK_MASK] ?? -1;
  }

  contentOf(keyIndex: number): number {
    return this.chunkOf(keyIndex).content[keyIndex & CHUNK_MASK] ?? 0;
  }

  setLatest(keyIndex: number, ordinal: number, content: number): void {
    const chunk = this.chunkOf(keyIndex);
    chunk.latest[keyIndex & CHUNK_MASK] = ordinal;
    chunk.content[keyIndex & CHUNK_MASK] = content;
  }
}
