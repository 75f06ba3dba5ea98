import { hash, randomFillSync } from 'node:crypto';
import {
  METRIC_NAMES,
  PLATFORMS,
  POST_FIELDS,
  PostDataSchema,
  keysInOrder,
  type PostData,
  RECORD_DATA_SCHEMAS,
  RECORD_TYPES,
  RecordEnvelopeSchema,
  ReerError,
  formatZodIssues,
  recordKey,
  type RecordType,
} from '@reer/core';
import { JsonByteWriter } from './_json-bytes.ts';
import type { NewRecord, StoredRecord } from './types.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;
const TYPE_SET: ReadonlySet<string> = new Set(RECORD_TYPES);

export function typeIndex(type: RecordType): number {
  return RECORD_TYPES.indexOf(type);
}

/**
 * 52 bits of the SHA-1 of a string, exact in a double. Used for content hashes, where a
 * collision would only make a changed post look unchanged (odds ~2^-52). Node's one-shot
 * `crypto.hash` beats a JS loop over the characters by about 2x.
 */
export function hashString(text: string): number {
  return first52Bits(hash('sha1', text, 'buffer'));
}

/** The first 13 hex digits of a digest as a number, read from its bytes (no hex string). */
function first52Bits(digest: Buffer): number {
  return digest.readUIntBE(0, 6) * 16 + ((digest[6] ?? 0) >>> 4);
}

/**
 * Hash of a record's `data` as the index stores it: 52 bits of the SHA-1 of its JSON. Pass `data`
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

export interface PreparedRecord {
  /** The caller's id (lower-cased) until `serializeRecord` assigns one. */
  id: string | undefined;
  /** Where the id's 16 bytes live once serialized: a batch-wide array at `idAt`. */
  idBytes: Uint8Array | undefined;
  idAt: number;
  timestamp: string;
  type: RecordType;
  source: string;
  data: unknown;
  metadata: Record<string, unknown>;
  key: string | undefined;
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

function schemaError(collection: string, index: number, issues: string[]): ReerError {
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
  const day = created_at.slice(0, 10);
  if (day !== createdAtChecked) {
    if (!createdAtSchema.safeParse(created_at).success) return false;
    createdAtChecked = day;
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
 * Records validated and serialized in one thread, to be appended by a store in another
 * (`TraceStore.upsertEncoded`). Everything here is one byte array (transferable, so it crosses
 * `postMessage` without a copy) plus small typed arrays and one string: a structured clone of the
 * record objects, or of their JSON as strings, costs the sending thread more than the store's append.
 */
export interface EncodedBatch {
  count: number;
  /** Each record's line after its id (`,"timestamp":…,"metadata":{…}}`) as UTF-8, concatenated. */
  bytes: Uint8Array;
  /** Three byte offsets into `bytes` per record: end of its tail, start and end of its `data` JSON. */
  bounds: Uint32Array;
  /** `RECORD_TYPES` index per record. */
  types: Uint8Array;
  /** The "latest wins" keys, concatenated; `keyBounds` holds each record's [start, end), start -1 without a key. */
  keys: string;
  keyBounds: Int32Array;
  /** Caller-given ids (lower case), null where the store generates one; absent when none were given. */
  ids: (string | null)[] | undefined;
}

/**
 * Validate and serialize records for `TraceStore.upsertEncoded` (often in another thread than the
 * store). Throws the same `E_SCHEMA` as `append`/`upsert` (naming the record index and
 * `data.field`); the content hash is left to the store's thread.
 */
export function encodeRecords(collection: string, records: readonly NewRecord[]): EncodedBatch {
  if (!Array.isArray(records)) throw schemaError(collection, 0, ['expected an array of records']);
  const now = new Date().toISOString();
  const count = records.length;
  const bounds = new Uint32Array(count * 3);
  const types = new Uint8Array(count);
  const keyBounds = new Int32Array(count * 2);
  let keys = '';
  let ids: (string | null)[] | undefined;
  const out = new JsonByteWriter(Math.max(4096, count * 768));
  // `,"timestamp":…,"type":…,"source":…,"data":` is usually the same for a whole batch: built once.
  let head = new Uint8Array(0);
  let headOf: [string, string, string] = ['', '', ''];
  for (let i = 0; i < count; i++) {
    const p = validateRecord(collection, i, records[i] as NewRecord, now);
    if (i === 0 || p.timestamp !== headOf[0] || p.type !== headOf[1] || p.source !== headOf[2]) {
      const scratch = new JsonByteWriter(64 + p.source.length * 6);
      scratch.raw(',"timestamp":"');
      scratch.raw(p.timestamp);
      scratch.raw('","type":"');
      scratch.raw(p.type);
      scratch.raw('","source":');
      scratch.string(p.source);
      scratch.raw(',"data":');
      head = scratch.bytes.slice(0, scratch.used);
      headOf = [p.timestamp, p.type, p.source];
    }
    out.copy(head);
    bounds[i * 3 + 1] = out.used;
    // Validated posts have schema-order keys and nothing else: written field by field, as JSON.stringify would.
    if (p.type === 'post') writePost(out, p.data as PostData);
    else out.value(p.data);
    bounds[i * 3 + 2] = out.used;
    out.raw(',"metadata":');
    out.value(p.metadata);
    out.raw('}');
    bounds[i * 3] = out.used;
    types[i] = typeIndex(p.type);
    if (p.key === undefined) keyBounds[i * 2] = -1;
    else {
      keyBounds[i * 2] = keys.length;
      keys += p.key;
      keyBounds[i * 2 + 1] = keys.length;
    }
    if (p.id !== undefined) {
      ids ??= new Array<string | null>(count).fill(null);
      ids[i] = p.id;
    }
  }
  return { count, bytes: out.bytes.subarray(0, out.used), bounds, types, keys, keyBounds, ids };
}

// The constant parts of a post's JSON, as bytes: `writePost` copies them.
const JSON_OPEN_PLATFORM = Buffer.from('{"platform":', 'latin1');
const JSON_POST_ID = Buffer.from(',"post_id":', 'latin1');
const JSON_AUTHOR = Buffer.from(',"author":', 'latin1');
const JSON_TEXT = Buffer.from(',"text":', 'latin1');
const JSON_CREATED_AT = Buffer.from(',"created_at":', 'latin1');
const JSON_URL = Buffer.from(',"url":', 'latin1');
const JSON_LANG = Buffer.from(',"lang":', 'latin1');
const JSON_METRICS = Buffer.from(',"metrics":{', 'latin1');
const JSON_CLOSE_METRICS_AND_POST = Buffer.from('}}', 'latin1');
const JSON_IS_REPLY_TRUE = Buffer.from(',"is_reply":true', 'latin1');
const JSON_IS_REPLY_FALSE = Buffer.from(',"is_reply":false', 'latin1');
const JSON_IS_REPOST_TRUE = Buffer.from(',"is_repost":true', 'latin1');
const JSON_IS_REPOST_FALSE = Buffer.from(',"is_repost":false', 'latin1');
const JSON_HAS_MEDIA_TRUE = Buffer.from(',"has_media":true', 'latin1');
const JSON_HAS_MEDIA_FALSE = Buffer.from(',"has_media":false', 'latin1');
const JSON_IMPRESSIONS = Buffer.from(',"impressions":', 'latin1');
const JSON_LIKES = Buffer.from(',"likes":', 'latin1');
const JSON_REPOSTS = Buffer.from(',"reposts":', 'latin1');
const JSON_REPLIES = Buffer.from(',"replies":', 'latin1');
const JSON_QUOTES = Buffer.from(',"quotes":', 'latin1');
const JSON_BOOKMARKS = Buffer.from(',"bookmarks":', 'latin1');
const JSON_SHARES = Buffer.from(',"shares":', 'latin1');
const JSON_CLICKS = Buffer.from(',"clicks":', 'latin1');
const JSON_PROFILE_VISITS = Buffer.from(',"profile_visits":', 'latin1');
const JSON_FOLLOWS = Buffer.from(',"follows":', 'latin1');
const JSON_ENGAGEMENTS = Buffer.from(',"engagements":', 'latin1');
const JSON_ENGAGEMENT_RATE = Buffer.from(',"engagement_rate":', 'latin1');

function writePost(out: JsonByteWriter, d: PostData): void {
  out.fragment(JSON_OPEN_PLATFORM, 0);
  // The platform is one of ours and the time matched CREATED_AT: neither has anything to escape.
  out.quotedAscii(d.platform);
  out.fragment(JSON_POST_ID, 0);
  out.string(d.post_id);
  out.fragment(JSON_AUTHOR, 0);
  out.string(d.author);
  out.fragment(JSON_TEXT, 0);
  out.string(d.text);
  out.fragment(JSON_CREATED_AT, 0);
  out.quotedAscii(d.created_at);
  if (d.url !== undefined) {
    out.fragment(JSON_URL, 0);
    out.string(d.url);
  }
  if (d.lang !== undefined) {
    out.fragment(JSON_LANG, 0);
    out.string(d.lang);
  }
  out.fragment(d.is_reply ? JSON_IS_REPLY_TRUE : JSON_IS_REPLY_FALSE, 0);
  out.fragment(d.is_repost ? JSON_IS_REPOST_TRUE : JSON_IS_REPOST_FALSE, 0);
  if (d.has_media !== undefined) out.fragment(d.has_media ? JSON_HAS_MEDIA_TRUE : JSON_HAS_MEDIA_FALSE, 0);
  out.fragment(JSON_METRICS, 0);
  const m = d.metrics;
  // Named reads, one per metric (a loop over names would be a slow keyed read per metric).
  let n = 0;
  if (m.impressions !== undefined) {
    out.fragment(JSON_IMPRESSIONS, n++ === 0 ? 1 : 0);
    out.number(m.impressions);
  }
  if (m.likes !== undefined) {
    out.fragment(JSON_LIKES, n++ === 0 ? 1 : 0);
    out.number(m.likes);
  }
  if (m.reposts !== undefined) {
    out.fragment(JSON_REPOSTS, n++ === 0 ? 1 : 0);
    out.number(m.reposts);
  }
  if (m.replies !== undefined) {
    out.fragment(JSON_REPLIES, n++ === 0 ? 1 : 0);
    out.number(m.replies);
  }
  if (m.quotes !== undefined) {
    out.fragment(JSON_QUOTES, n++ === 0 ? 1 : 0);
    out.number(m.quotes);
  }
  if (m.bookmarks !== undefined) {
    out.fragment(JSON_BOOKMARKS, n++ === 0 ? 1 : 0);
    out.number(m.bookmarks);
  }
  if (m.shares !== undefined) {
    out.fragment(JSON_SHARES, n++ === 0 ? 1 : 0);
    out.number(m.shares);
  }
  if (m.clicks !== undefined) {
    out.fragment(JSON_CLICKS, n++ === 0 ? 1 : 0);
    out.number(m.clicks);
  }
  if (m.profile_visits !== undefined) {
    out.fragment(JSON_PROFILE_VISITS, n++ === 0 ? 1 : 0);
    out.number(m.profile_visits);
  }
  if (m.follows !== undefined) {
    out.fragment(JSON_FOLLOWS, n++ === 0 ? 1 : 0);
    out.number(m.follows);
  }
  if (m.engagements !== undefined) {
    out.fragment(JSON_ENGAGEMENTS, n++ === 0 ? 1 : 0);
    out.number(m.engagements);
  }
  if (m.engagement_rate !== undefined) {
    out.fragment(JSON_ENGAGEMENT_RATE, n++ === 0 ? 1 : 0);
    out.number(m.engagement_rate);
  }
  out.fragment(JSON_CLOSE_METRICS_AND_POST, 0);
}

/** 52 bits of the SHA-1 of UTF-8 bytes: equal to `hashString` of the string they encode. */
export function hashBytes(bytes: Uint8Array): number {
  return first52Bits(hash('sha1', bytes, 'buffer'));
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
