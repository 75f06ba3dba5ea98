import { randomFillSync } from 'node:crypto';
import {
  METRIC_NAMES,
  PLATFORMS,
  POST_FIELDS,
  PostDataSchema,
  keysInOrder,
  RECORD_DATA_SCHEMAS,
  RECORD_TYPES,
  RecordEnvelopeSchema,
  ReerError,
  formatZodIssues,
  recordKey,
  type RecordType,
} from '@reer/core';
import type { NewRecord, StoredRecord } from './types.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;
const TYPE_SET: ReadonlySet<string> = new Set(RECORD_TYPES);

export function typeIndex(type: RecordType): number {
  return RECORD_TYPES.indexOf(type);
}

/** 52 bits of `hashBytes` over the string's UTF-8. */
export function hashString(text: string): number {
  return hashBytes(Buffer.from(text, 'utf8'));
}

/**
 * A DataView over `bytes`, reused while calls hash the same array (the store hashes every record of
 * a batch in place): reading a word through it is half the cost of assembling it from four bytes.
 */
let viewed: Uint8Array | undefined;
let viewedAs: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
function viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
  if (bytes !== viewed) {
    viewedAs = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    viewed = bytes;
  }
  return viewedAs;
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A 52-bit content hash of `bytes[from, to)` (exact in a double): two 32-bit MurmurHash3 lanes
 * (its x86_128 rounds and finalizer, cut to two lanes). It tells a changed post from an unchanged
 * one, so it needs to spread, not to resist an attacker: a collision only makes a changed post look
 * unchanged (odds ~2^-52). It replaced SHA-1 (`crypto.hash` per record), which cost the store's
 * writer thread ~1.4 µs a record on a large import; this costs ~0.4 for a 600-byte post, in place.
 */
export function hashBytes(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const view = viewOf(bytes);
  const length = to - from;
  let h1 = 0x9747b28c;
  let h2 = 0x1b873593 ^ length;
  const words = from + (length & ~3);
  let i = from;
  for (; i < words; i += 4) {
    const k = view.getInt32(i, true);
    h1 ^= Math.imul(rotl(Math.imul(k, C1), 15), C2);
    h1 = (Math.imul(rotl(h1, 19), 5) + 0x561ccd1b) | 0;
    h2 ^= Math.imul(rotl(Math.imul(k, C2), 16), C3);
    h2 = (Math.imul(rotl(h2, 17), 5) + 0x0bcaa747) | 0;
  }
  let k = 0;
  for (let shift = 0; i < to; i++, shift += 8) k |= (bytes[i] ?? 0) << shift;
  if (length & 3) {
    h1 ^= Math.imul(rotl(Math.imul(k, C1), 15), C2);
    h2 ^= Math.imul(rotl(Math.imul(k, C2), 16), C3);
  }
  h1 ^= length;
  h2 ^= length;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  return (h1 >>> 0) * 0x100000 + (h2 >>> 12);
}

/**
 * Hash of a record's `data` as the index stores it: `hashString` of its JSON. Pass `data`
 * as its schema parses it (`PostDataSchema.parse(...)`), since the store hashes the parsed value and
 * key order changes the JSON.
 */
export function contentHash(data: unknown): string {
  return formatHash(hashString(JSON.stringify(data) ?? 'null'));
}

export function formatHash(hash: number): string {
  return hash.toString(16).padStart(13, '0');
}

/**
 * The "latest wins" key of a record, or undefined. Guards against data that failed its
 * schema so a bad line never produces a key like `x:undefined`.
 */
export function keyOf(type: RecordType, data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  if (type === 'post') {
    const d = data as { platform?: unknown; post_id?: unknown };
    if (typeof d.platform !== 'string' || typeof d.post_id !== 'string') return undefined;
  }
  return recordKey(type, data);
}

/** A valid record on its way to the log. `id` is the caller's (lower-cased) until `serializeRecord` assigns one. */
export interface PreparedRecord extends ValidRecord {
  /** Where the id's 16 bytes live once serialized: a batch-wide array at `idAt`. */
  idBytes: Uint8Array | undefined;
  idAt: number;
  dataJson: string;
  /** When set (from an `EncodedBatch`), the line after its id as UTF-8: the store only prepends the id. */
  tail: Buffer | undefined;
  /** The line's bytes in `tail` (a whole encoded batch, shared by its records: no view per record). */
  tailStart: number;
  tailEnd: number;
  /** The serialized line without its newline; empty until `serializeRecord`. */
  line: string;
  hash: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function schemaError(collection: string, index: number, issues: string[]): ReerError {
  return new ReerError('E_SCHEMA', `${collection}: record ${index}: ${issues.join('; ')}`, {
    hint: 'Fix the record so it matches its type\'s schema (see packages/core/src/schemas); nothing from this batch was written.',
    details: { index, issues },
  });
}

const PLATFORM_SET: ReadonlySet<string> = new Set(PLATFORMS);
const createdAtSchema = PostDataSchema.shape.created_at;
// A strict subset of what `z.iso.datetime({ offset: false })` accepts; anything else asks zod.
const CREATED_AT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
let createdAtChecked = '';

/**
 * The hot path of post validation: true only when `data` is a post that `PostDataSchema` accepts
 * AND whose keys are already in schema order (so its JSON equals the JSON of what zod would return).
 * False means "ask zod", which then either accepts (and reorders) or produces the error message, so
 * results are identical to validating everything with zod; zod costs ~4 µs a post, this ~0.3 µs.
 */
export function isCanonicalPost(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const d = data as Record<string, unknown>;
  // An unknown or misplaced key fails; absent optional ones are skipped.
  if (!keysInOrder(d, POST_FIELDS)) return false;
  const { platform, post_id, author, text, created_at, url, lang, is_reply, is_repost, has_media, metrics } = d;
  if (typeof platform !== 'string' || !PLATFORM_SET.has(platform)) return false;
  if (typeof post_id !== 'string' || post_id.length === 0) return false;
  if (typeof author !== 'string' || typeof text !== 'string') return false;
  if (typeof created_at !== 'string' || !CREATED_AT.test(created_at)) return false;
  // The day-of-month range per month is zod's to judge; it is cached since most posts share few days.
  if (createdAtChecked === '' || !created_at.startsWith(createdAtChecked)) {
    if (!createdAtSchema.safeParse(created_at).success) return false;
    createdAtChecked = created_at.slice(0, 10);
  }
  if (url !== undefined && typeof url !== 'string') return false;
  if (lang !== undefined && typeof lang !== 'string') return false;
  if (typeof is_reply !== 'boolean' || typeof is_repost !== 'boolean') return false;
  if (has_media !== undefined && typeof has_media !== 'boolean') return false;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return false;
  const m = metrics as Record<string, unknown>;
  // The same walk as `keysInOrder`, fused with the check of each value.
  let j = 0;
  for (const key in m) {
    while (j < METRIC_NAMES.length && METRIC_NAMES[j] !== key) j++;
    if (j === METRIC_NAMES.length) return false;
    j++;
    const v = m[key];
    if (typeof v !== 'number' || !(v >= 0) || v === Number.POSITIVE_INFINITY) return false;
  }
  return true;
}

/** A new record whose envelope and data passed validation: what both serializations start from. */
export interface ValidRecord {
  id: string | undefined;
  timestamp: string;
  type: RecordType;
  source: string;
  data: unknown;
  metadata: Record<string, unknown>;
  key: string | undefined;
}

/**
 * Validate a new record (envelope, and `data` against its type's schema). Throws `E_SCHEMA` naming
 * the record index and the failing `data.field`. `data` comes back as the schema parses it.
 */
export function validateRecord(collection: string, index: number, record: NewRecord, now: string): ValidRecord {
  if (!isPlainObject(record)) throw schemaError(collection, index, ['expected a record object']);
  const { type, source } = record;
  if (typeof type !== 'string' || !TYPE_SET.has(type)) {
    throw schemaError(collection, index, [`type: expected one of ${RECORD_TYPES.join(', ')}, got ${JSON.stringify(type)}`]);
  }
  if (typeof source !== 'string' || source.length === 0) {
    throw schemaError(collection, index, ['source: expected a non-empty string']);
  }
  const metadata = record.metadata ?? {};
  if (!isPlainObject(metadata)) throw schemaError(collection, index, ['metadata: expected an object']);
  // Only caller-given ids and timestamps need checking; generated ones are valid by construction.
  if (record.id !== undefined && (typeof record.id !== 'string' || !UUID_V4.test(record.id))) {
    throw schemaError(collection, index, ['id: expected a uuid v4']);
  }
  const timestamp = record.timestamp ?? now;
  if (record.timestamp !== undefined && (typeof timestamp !== 'string' || !ISO_UTC.test(timestamp) || Number.isNaN(Date.parse(timestamp)))) {
    throw schemaError(collection, index, ['timestamp: expected an ISO 8601 UTC time such as 2024-01-31T12:00:00.000Z']);
  }
  let data: unknown = record.data;
  if (type !== 'post' || !isCanonicalPost(data)) {
    const parsed = RECORD_DATA_SCHEMAS[type].safeParse(record.data);
    if (!parsed.success) throw schemaError(collection, index, formatZodIssues(parsed.error, 'data'));
    data = parsed.data;
  }
  return { id: record.id?.toLowerCase(), timestamp, type, source, data, metadata, key: keyOf(type, data) };
}

/**
 * Validate a new record and hash its data. The id and the line come later (`serializeRecord`), so
 * an upsert spends nothing more on records it skips.
 */
export function prepareRecord(collection: string, index: number, record: NewRecord, now: string, withHash = true): PreparedRecord {
  const valid = validateRecord(collection, index, record, now);
  const dataJson = JSON.stringify(valid.data);
  return {
    ...valid,
    idBytes: undefined,
    idAt: 0,
    dataJson,
    tail: undefined,
    tailStart: 0,
    tailEnd: 0,
    line: '',
    hash: withHash ? hashString(dataJson) : 0,
  };
}

/**
 * Give a prepared record its id (the caller's, or a new uuid v4 generated as bytes, since the index
 * wants bytes and parsing a string back costs ~1 µs a record) and build its line.
 */
export function serializeRecord(prepared: PreparedRecord, idBytes: Uint8Array, idAt: number): void {
  if (prepared.id === undefined) {
    randomUuidBytes(idBytes, idAt);
    // An encoded record's id is written from its bytes (`writeIdHead`); nothing reads it as a string.
    if (prepared.tail === undefined) prepared.id = bytesToUuid(idBytes, idAt);
  } else {
    uuidToBytes(prepared.id, idBytes, idAt);
  }
  prepared.idBytes = idBytes;
  prepared.idAt = idAt;
  if (prepared.tail !== undefined) return;
  prepared.line = `{"id":"${prepared.id}","timestamp":"${prepared.timestamp}","type":"${prepared.type}","source":${JSON.stringify(prepared.source)},"data":${prepared.dataJson},"metadata":${JSON.stringify(prepared.metadata)}}`;
}

/** The stored form of a record that `serializeRecord` has given an id. */
export function toStored(prepared: PreparedRecord): StoredRecord {
  return {
    id: prepared.id ?? '',
    timestamp: prepared.timestamp,
    type: prepared.type,
    source: prepared.source,
    data: prepared.data,
    metadata: prepared.metadata,
  } as StoredRecord;
}

export type DecodedLine =
  | { ok: true; record: StoredRecord; dataValid: boolean; message: string }
  | { ok: false; message: string };

/**
 * Parse one stored line and check its envelope. `checkData` also validates `data` with its
 * type's schema; the result says whether it passed so callers can report without re-parsing.
 */
export function decodeLine(text: string, checkData: boolean): DecodedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'invalid JSON';
    return { ok: false, message: text.trim() === '' ? 'empty line' : `not valid JSON (${reason})` };
  }
  const envelope = RecordEnvelopeSchema.safeParse(value);
  if (!envelope.success) return { ok: false, message: formatZodIssues(envelope.error).join('; ') };
  const record = value as StoredRecord;
  if (!checkData) return { ok: true, record, dataValid: true, message: '' };
  const parsed = RECORD_DATA_SCHEMAS[record.type].safeParse(record.data);
  if (parsed.success) return { ok: true, record, dataValid: true, message: '' };
  return { ok: true, record, dataValid: false, message: formatZodIssues(parsed.error, 'data').join('; ') };
}

const HEX_CODES = Buffer.from('0123456789abcdef', 'latin1');
const uuidText = Buffer.alloc(36);
const randomPool = Buffer.alloc(16 * 4096);
let randomAt = randomPool.length;

/** 16 random bytes shaped as a uuid v4 (version and variant bits set), written at `at`. */
export function randomUuidBytes(target: Uint8Array, at: number): void {
  if (randomAt + 16 > randomPool.length) {
    randomFillSync(randomPool);
    randomAt = 0;
  }
  for (let i = 0; i < 16; i++) target[at + i] = randomPool[randomAt + i] ?? 0;
  randomAt += 16;
  target[at + 6] = ((target[at + 6] ?? 0) & 0x0f) | 0x40;
  target[at + 8] = ((target[at + 8] ?? 0) & 0x3f) | 0x80;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Write a uuid's 16 bytes into `target` at `at`; false when `id` is not a uuid. */
export function uuidToBytes(id: string, target: Uint8Array, at: number): boolean {
  if (id.length !== 36) return false;
  let j = at;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return false;
      continue;
    }
    const hi = hexValue(id.charCodeAt(i));
    const lo = hexValue(id.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return false;
    target[j++] = (hi << 4) | lo;
    i++;
  }
  return true;
}

/** Writes `{"id":"<uuid>"` for the id bytes at `at` into `target` at `targetAt`; returns the length (44). */
export function writeIdHead(source: Uint8Array, at: number, target: Uint8Array, targetAt: number): number {
  let p = targetAt;
  for (let i = 0; i < ID_HEAD_OPEN.length; i++) target[p++] = ID_HEAD_OPEN[i]!;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) target[p++] = 0x2d;
    const byte = source[at + i] ?? 0;
    target[p++] = HEX_CODES[byte >>> 4] ?? 0x30;
    target[p++] = HEX_CODES[byte & 15] ?? 0x30;
  }
  target[p++] = 0x22;
  return p - targetAt;
}

const ID_HEAD_OPEN = Buffer.from('{"id":"', 'latin1');

export function bytesToUuid(source: Uint8Array, at: number): string {
  // Hex digits into a scratch buffer, then one latin1 decode: a flat string in one allocation.
  let p = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidText[p++] = 0x2d;
    const byte = source[at + i] ?? 0;
    uuidText[p++] = HEX_CODES[byte >>> 4] ?? 0x30;
    uuidText[p++] = HEX_CODES[byte & 15] ?? 0x30;
  }
  return uuidText.toString('latin1', 0, 36);
}
