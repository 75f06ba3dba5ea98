import { KeyTable } from './_key-table.ts';
import { bytesToUuid, uuidToBytes } from './record-codec.ts';

const CHUNK_BITS = 16;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/**
 * Columns for 65,536 records. Fixed-size chunks grow the index without copying and keep it
 * around 44 bytes per record (a Map of objects would cost several times that).
 */
class Chunk {
  readonly segment = new Uint16Array(CHUNK_SIZE);
  readonly offset = new Float64Array(CHUNK_SIZE);
  readonly length = new Uint32Array(CHUNK_SIZE);
  readonly type = new Uint8Array(CHUNK_SIZE);
  readonly next = new Int32Array(CHUNK_SIZE);
  readonly prev = new Int32Array(CHUNK_SIZE);
  readonly id = new Uint8Array(CHUNK_SIZE * 16);
}

/** Where a record lives, as the index knows it. */
export interface Location {
  segment: number;
  offset: number;
  length: number;
}

/**
 * The in-memory index of one collection: record ordinals in log order (archives oldest first,
 * then the active file), id → ordinal through an open-addressing table over the id bytes, and
 * key → newest ordinal with a back-link per ordinal for history.
 */
export class CollectionIndex {
  count = 0;
  /** Versions that a newer version of their key replaced. */
  superseded = 0;
  private readonly chunks: Chunk[] = [];
  private idTable = new Int32Array(1 << 12);
  private idMask = (1 << 12) - 1;
  readonly keys = new KeyTable();
  private readonly scratch = new Uint8Array(16);

  private readonly idScratch = new Uint8Array(16);

  /** Index a record whose id is a string; -1 when the id is not a uuid. */
  add(segment: number, offset: number, length: number, type: number, hash: number, key: string | undefined, id: string): number {
    if (!uuidToBytes(id, this.idScratch, 0)) return -1;
    return this.addWithIdBytes(segment, offset, length, type, hash, key, this.idScratch, 0);
  }

  addWithIdBytes(
    segment: number,
    offset: number,
    length: number,
    type: number,
    hash: number,
    key: string | undefined,
    idBytes: Uint8Array,
    idAt: number,
  ): number {
    const ordinal = this.count;
    const chunkIndex = ordinal >>> CHUNK_BITS;
    let chunk = this.chunks[chunkIndex];
    if (!chunk) {
      chunk = new Chunk();
      this.chunks.push(chunk);
    }
    const at = ordinal & CHUNK_MASK;
    // A byte loop: `subarray` would allocate a typed-array view per record.
    const idBase = at * 16;
    for (let i = 0; i < 16; i++) chunk.id[idBase + i] = idBytes[idAt + i] ?? 0;
    chunk.segment[at] = segment;
    chunk.offset[at] = offset;
    chunk.length[at] = length;
    chunk.type[at] = type;
    chunk.next[at] = -1;
    chunk.prev[at] = -1;
    this.count++;
    if (key !== undefined) {
      const keyIndex = this.keys.insert(key);
      const previous = this.keys.latestOf(keyIndex);
      if (previous >= 0) {
        chunk.prev[at] = previous;
        this.chunkOf(previous).next[previous & CHUNK_MASK] = ordinal;
        this.superseded++;
      }
      this.keys.setLatest(keyIndex, ordinal, hash);
    }
    if (this.count * 2 > this.idTable.length) this.growIdTable();
    else this.insertId(ordinal, chunk.id, at * 16);
    return ordinal;
  }

  /** Copy the 16 id bytes of an ordinal into `target` at `at`. */
  copyIdBytes(ordinal: number, target: Uint8Array, at: number): void {
    const source = this.chunkOf(ordinal).id;
    const base = (ordinal & CHUNK_MASK) * 16;
    for (let i = 0; i < 16; i++) target[at + i] = source[base + i] ?? 0;
  }

  /**
   * The key index of every ordinal in [from, to) (-1 for none), rebuilt from the key table and the
   * version links, and the content hash of those that are the newest version of their key (0 for the others).
   */
  keysOfRange(from: number, to: number): { keyIndexes: Int32Array; hashes: Float64Array } {
    const keyIndexes = new Int32Array(to - from).fill(-1);
    const hashes = new Float64Array(to - from);
    for (let keyIndex = 0; keyIndex < this.keys.size; keyIndex++) {
      const latest = this.keys.latestOf(keyIndex);
      for (let ordinal = latest; ordinal >= from; ordinal = this.previousVersion(ordinal)) {
        if (ordinal >= to) continue;
        keyIndexes[ordinal - from] = keyIndex;
        if (ordinal === latest) hashes[ordinal - from] = this.keys.contentOf(keyIndex);
      }
    }
    return { keyIndexes, hashes };
  }

  private chunkOf(ordinal: number): Chunk {
    const chunk = this.chunks[ordinal >>> CHUNK_BITS];
    if (!chunk) throw new RangeError(`ordinal ${ordinal} out of range`);
    return chunk;
  }

  private static hashId(bytes: Uint8Array, at: number): number {
    // v4 ids are random in these bytes; mixing still spreads ids chosen by a caller.
    let h = (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 24);
    h ^= (bytes[at + 12] ?? 0) | ((bytes[at + 13] ?? 0) << 8) | ((bytes[at + 14] ?? 0) << 16) | ((bytes[at + 15] ?? 0) << 24);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private sameId(ordinal: number, bytes: Uint8Array, at: number): boolean {
    const chunk = this.chunkOf(ordinal);
    const base = (ordinal & CHUNK_MASK) * 16;
    for (let i = 0; i < 16; i++) if (chunk.id[base + i] !== bytes[at + i]) return false;
    return true;
  }

  private insertId(ordinal: number, bytes: Uint8Array, at: number): void {
    let slot = CollectionIndex.hashId(bytes, at) & this.idMask;
    for (;;) {
      const held = this.idTable[slot] ?? 0;
      // A repeated id (a caller re-using one) points at its newest line.
      if (held === 0 || this.sameId(held - 1, bytes, at)) {
        this.idTable[slot] = ordinal + 1;
        return;
      }
      slot = (slot + 1) & this.idMask;
    }
  }

  /**
   * Size the hash tables for `total` records (and at most as many keys) up front, so loading a
   * known number of records never rehashes everything on the way up.
   */
  reserve(total: number): void {
    this.keys.reserve(total);
    if (total * 2 <= this.idTable.length) return;
    let size = this.idTable.length;
    while (size < total * 2) size *= 2;
    this.growIdTable(size);
  }

  private growIdTable(size = this.idTable.length * 2): void {
    this.idTable = new Int32Array(size);
    this.idMask = size - 1;
    for (let ordinal = 0; ordinal < this.count; ordinal++) {
      const chunk = this.chunkOf(ordinal);
      this.insertId(ordinal, chunk.id, (ordinal & CHUNK_MASK) * 16);
    }
  }

  findId(id: string): number {
    if (!uuidToBytes(id.toLowerCase(), this.scratch, 0)) return -1;
    let slot = CollectionIndex.hashId(this.scratch, 0) & this.idMask;
    for (;;) {
      const held = this.idTable[slot] ?? 0;
      if (held === 0) return -1;
      if (this.sameId(held - 1, this.scratch, 0)) return held - 1;
      slot = (slot + 1) & this.idMask;
    }
  }

  location(ordinal: number): Location {
    const chunk = this.chunkOf(ordinal);
    const at = ordinal & CHUNK_MASK;
    return { segment: chunk.segment[at] ?? 0, offset: chunk.offset[at] ?? 0, length: chunk.length[at] ?? 0 };
  }

  offsetOf(ordinal: number): number {
    return this.chunkOf(ordinal).offset[ordinal & CHUNK_MASK] ?? 0;
  }

  lengthOf(ordinal: number): number {
    return this.chunkOf(ordinal).length[ordinal & CHUNK_MASK] ?? 0;
  }

  typeOf(ordinal: number): number {
    return this.chunkOf(ordinal).type[ordinal & CHUNK_MASK] ?? 0;
  }

  idOf(ordinal: number): string {
    return bytesToUuid(this.chunkOf(ordinal).id, (ordinal & CHUNK_MASK) * 16);
  }

  /** Whether a newer version of the record's key exists among the first `upTo` ordinals. */
  isSuperseded(ordinal: number, upTo = this.count): boolean {
    const next = this.chunkOf(ordinal).next[ordinal & CHUNK_MASK] ?? -1;
    return next !== -1 && next < upTo;
  }

  /** Make `ordinal` the newest version of `key` without linking versions (a compacted file holds one per key). */
  setLatest(key: string, ordinal: number, hash: number): void {
    this.keys.setLatest(this.keys.insert(key), ordinal, hash);
  }

  previousVersion(ordinal: number): number {
    return this.chunkOf(ordinal).prev[ordinal & CHUNK_MASK] ?? -1;
  }

  /** The newest ordinal of `key`, or -1. */
  latestOf(key: string): number {
    const keyIndex = this.keys.find(key);
    return keyIndex < 0 ? -1 : this.keys.latestOf(keyIndex);
  }

  /** The newest version of `key` and its content hash, or undefined. */
  latestVersionOf(key: string): { ordinal: number; hash: number } | undefined {
    const keyIndex = this.keys.find(key);
    if (keyIndex < 0) return undefined;
    return { ordinal: this.keys.latestOf(keyIndex), hash: this.keys.contentOf(keyIndex) };
  }
}
