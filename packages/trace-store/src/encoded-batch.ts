import { METRIC_NAMES, PLATFORMS, type Platform, type PostData } from '@reer/core';
import { JsonByteWriter, putBytes, putNumber, putQuotedAscii, putString, putText } from './_json-bytes.ts';
import { schemaError, typeIndex, validateRecord } from './record-codec.ts';
import type { NewRecord } from './types.ts';

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
 * store). `into` is memory to write into when it is big enough: a sender that gets each batch's
 * buffer back after the write skips allocating (and the kernel zeroing) ~0.5 MB per batch. Throws the same `E_SCHEMA` as `append`/`upsert` (naming the record index and
 * `data.field`); the content hash is left to the store's thread.
 */
export function encodeRecords(collection: string, records: readonly NewRecord[], into?: ArrayBuffer): EncodedBatch {
  if (!Array.isArray(records)) throw schemaError(collection, 0, ['expected an array of records']);
  const now = new Date().toISOString();
  const count = records.length;
  const bounds = new Uint32Array(count * 3);
  const types = new Uint8Array(count);
  const keyBounds = new Int32Array(count * 2);
  let keys = '';
  let ids: (string | null)[] | undefined;
  // Posts of an analytics export run ~800 bytes as a line; room for that up front saves a regrowth per batch.
  const out = new JsonByteWriter(Math.max(4096, count * 1024), into);
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
/** `{"platform":"<platform>","post_id":` for each platform. */
const JSON_OPEN_TO_POST_ID = Object.fromEntries(
  PLATFORMS.map((platform) => [platform, Buffer.from(`{"platform":${JSON.stringify(platform)},"post_id":`, 'latin1')]),
) as Record<Platform, Buffer>;
const JSON_AUTHOR = Buffer.from(',"author":', 'latin1');
const JSON_TEXT = Buffer.from(',"text":', 'latin1');
const JSON_CREATED_AT = Buffer.from(',"created_at":', 'latin1');
const JSON_URL = Buffer.from(',"url":', 'latin1');
const JSON_LANG = Buffer.from(',"lang":', 'latin1');
/**
 * `,"is_reply":…,"is_repost":…[,"has_media":…],"metrics":{` for every combination, at
 * `(is_reply ? 6 : 0) + (is_repost ? 3 : 0) + (has_media absent 0, true 1, false 2)`.
 */
const JSON_FLAGS_TO_METRICS = [false, true].flatMap((reply) =>
  [false, true].flatMap((repost) =>
    [undefined, true, false].map((media) =>
      Buffer.from(`,"is_reply":${reply},"is_repost":${repost}${media === undefined ? '' : `,"has_media":${media}`},"metrics":{`, 'latin1'),
    ),
  ),
);
/** `,"<metric>":` for each metric, read by name in `writePost`. */
const JSON_METRIC = Object.fromEntries(METRIC_NAMES.map((name) => [name, Buffer.from(`,${JSON.stringify(name)}:`, 'latin1')])) as Record<
  (typeof METRIC_NAMES)[number],
  Buffer
>;

/** Bytes a post takes beyond its strings' `6 * length + 2` each: keys, flags and twelve numbers. */
const POST_FIXED_MAX = 512;

/**
 * One post's JSON, as `JSON.stringify` writes a post in schema order. Room for the whole post is
 * reserved once and every piece is written by the free-standing `put*` writers: one call per post
 * instead of ~40 method calls, each with its own bounds check (a million-row import spent ~3 µs a
 * row here before).
 */
function writePost(out: JsonByteWriter, d: PostData): void {
  const { post_id, author, text, url, lang, metrics: m } = d;
  out.reserve(POST_FIXED_MAX + 6 * (post_id.length + author.length + text.length + (url?.length ?? 0) + (lang?.length ?? 0)));
  const b = out.bytes;
  const native = out.native;
  // The platform is one of ours (validated) and the time matched CREATED_AT: neither has anything to escape.
  let u = putBytes(b, out.used, JSON_OPEN_TO_POST_ID[d.platform]);
  u = putString(b, u, post_id);
  u = putBytes(b, u, JSON_AUTHOR);
  u = putString(b, u, author);
  u = putBytes(b, u, JSON_TEXT);
  u = putText(b, native, u, text);
  u = putBytes(b, u, JSON_CREATED_AT);
  u = putQuotedAscii(b, u, d.created_at);
  if (url !== undefined) {
    u = putBytes(b, u, JSON_URL);
    u = putText(b, native, u, url);
  }
  if (lang !== undefined) {
    u = putBytes(b, u, JSON_LANG);
    u = putString(b, u, lang);
  }
  u = putBytes(b, u, JSON_FLAGS_TO_METRICS[(d.is_reply ? 6 : 0) + (d.is_repost ? 3 : 0) + (d.has_media === undefined ? 0 : d.has_media ? 1 : 2)]!);
  // Named reads, one per metric (a loop over names would be a slow keyed read per metric). Each
  // key piece starts with a comma; the first metric written skips it.
  const open = u;
  if (m.impressions !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.impressions), m.impressions);
  if (m.likes !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.likes), m.likes);
  if (m.reposts !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.reposts), m.reposts);
  if (m.replies !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.replies), m.replies);
  if (m.quotes !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.quotes), m.quotes);
  if (m.bookmarks !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.bookmarks), m.bookmarks);
  if (m.shares !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.shares), m.shares);
  if (m.clicks !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.clicks), m.clicks);
  if (m.profile_visits !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.profile_visits), m.profile_visits);
  if (m.follows !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.follows), m.follows);
  if (m.engagements !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.engagements), m.engagements);
  if (m.engagement_rate !== undefined) u = putNumber(b, putBytes(b, u, JSON_METRIC.engagement_rate), m.engagement_rate);
  if (u > open) {
    // Drop the first metric's comma: shift what was written after it back by one byte.
    b.copyWithin(open, open + 1, u);
    u--;
  }
  b[u++] = 125;
  b[u++] = 125;
  out.used = u;
}
