import type { Platform, PostData } from '@reer/core';
import type { DatePrecision } from './values.ts';

/** Every export layout the reader knows. `generic` is any CSV/JSON/JSONL read through `--map`. */
export const FORMAT_IDS = [
  'x-current',
  'x-legacy',
  'x-archive',
  'meta-facebook',
  'meta-instagram',
  'linkedin-shares',
  'linkedin-analytics',
  'linkedin-company',
  'generic',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/** The fields a column can be mapped to (`--map field=Column`). */
export const FIELD_NAMES = [
  'post_id',
  'url',
  'text',
  'created_at',
  'author',
  'platform',
  'lang',
  'is_reply',
  'is_repost',
  'has_media',
  'impressions',
  'likes',
  'reposts',
  'replies',
  'quotes',
  'bookmarks',
  'shares',
  'clicks',
  'profile_visits',
  'follows',
  'engagements',
  'engagement_rate',
  'media_views',
  'media_engagements',
  'post_type',
  'is_share',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

/** A post read from an export, before it reaches the store. */
export interface ParsedPost {
  data: PostData;
  /** 1-based line (CSV/JSONL) or row (XLSX) or array index + 1 (JSON) where the post starts. */
  line: number;
  /** `day` when the export only gives the date (the current X export). */
  datePrecision: DatePrecision;
  /** Cleaning applied to this post, e.g. `mojibake`, `id-from-permalink`. */
  repairs?: string[];
  /** Extra provenance merged into the record's `metadata` (e.g. the analytics file a LinkedIn post was joined with). */
  metadata?: Record<string, unknown>;
}

/** A row that could not become a post. Written to `social/rejects.jsonl` and counted. */
export interface RejectedRow {
  file: string;
  line: number;
  format: FormatId;
  reason: string;
  /** The cells as read, so nothing is lost. */
  row?: Record<string, string>;
}

/** What every reader needs to know besides the file itself. */
export interface ReadOptions {
  /** Overrides the author found in the file (`--author`). */
  author?: string | undefined;
  /** Overrides the platform (`--platform`); required for `generic` unless a column is mapped. */
  platform?: Platform | undefined;
  /** `--map field=Column` pairs for the generic reader (or to override a known format's columns). */
  map?: Partial<Record<FieldName, string>> | undefined;
  /** Force a format instead of detecting it (`--format`). */
  format?: FormatId | undefined;
}

/** A batch of results from one file; readers yield these so memory stays flat. */
export interface ReadBatch {
  posts: ParsedPost[];
  rejects: RejectedRow[];
  /** Data rows consumed (posts + rejects), header and blank lines excluded. */
  rows: number;
  /** Bytes of the file consumed so far, for progress. */
  bytesRead: number;
}
