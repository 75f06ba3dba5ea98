import type {
  CandidateData,
  CheckpointData,
  CollectionName,
  EvaluationData,
  Logger,
  PostData,
  RecordType,
  StrategyData,
  TraceData,
} from '@reer/core';

/** The `data` type of each record type. */
export interface RecordDataByType {
  post: PostData;
  trace: TraceData;
  strategy: StrategyData;
  candidate: CandidateData;
  evaluation: EvaluationData;
  checkpoint: CheckpointData;
}

/** One stored line: the record envelope with `data` typed by `type`. */
export type StoredRecord<T extends RecordType = RecordType> = {
  [K in T]: {
    id: string;
    /** When the record was appended, ISO 8601 UTC. */
    timestamp: string;
    type: K;
    source: string;
    data: RecordDataByType[K];
    metadata: Record<string, unknown>;
  };
}[T];

/** What a caller appends; the store fills in `id`, `timestamp` and `metadata` when absent. */
export interface NewRecord {
  type: RecordType;
  /** Who produced it, e.g. `social-collect:x-legacy`. */
  source: string;
  data: unknown;
  metadata?: Record<string, unknown> | undefined;
  /** A uuid v4; generated when absent. */
  id?: string | undefined;
  /** ISO 8601 UTC; now when absent. */
  timestamp?: string | undefined;
}

export type FieldValue = string | number | boolean;

export interface RecordFilter {
  type?: RecordType | undefined;
  source?: string | undefined;
  /** Inclusive lower bound on the time (the envelope `timestamp`, or `timeField` of `data`). */
  since?: string | Date | undefined;
  /** Exclusive upper bound on the time. */
  until?: string | Date | undefined;
  /** A field of `data` holding an ISO time to use for `since`/`until` instead of `timestamp`, e.g. `created_at`. */
  timeField?: string | undefined;
  /** Equality on fields of `data`; dotted paths reach nested fields (`metrics.likes`). */
  where?: Record<string, FieldValue> | undefined;
}

/** A line that failed JSON parsing, the envelope, or its `data` schema. */
export interface StoreProblem {
  collection: CollectionName;
  /** Path relative to the data dir. */
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  /** Byte offset of the line's start in `file`. */
  offset: number;
  message: string;
}

export interface ReadOptions {
  /**
   * Called for every bad line met while reading. Without it, reading stops with an
   * `E_STORE_CORRUPT` error that names the file and line.
   */
  onProblem?: ((problem: StoreProblem) => void) | undefined;
}

/** A torn tail (an unterminated last line left by a killed writer) moved out of a collection file. */
export interface RecoveryReport {
  collection: CollectionName;
  /** Collection file, relative to the data dir. */
  file: string;
  /** Byte offset in `file` where the fragment started (the file was cut back to it). */
  offset: number;
  bytes: number;
  /** Absolute path of the quarantine file that now holds the fragment. */
  quarantineFile: string;
}

export interface StoreOptions {
  logger?: Logger | undefined;
  /** Rotate the active file into `archives/` once it reaches this size. @default 268435456 (256 MiB) */
  rotateBytes?: number | undefined;
  /** Give up waiting for another process's lock after this long (`E_STORE_LOCKED`). @default 30000 */
  lockTimeoutMs?: number | undefined;
  /** A lock not refreshed for this long belongs to a dead process and is taken over (min 2000). @default 10000 */
  lockStaleMs?: number | undefined;
  /** How many backups `backup()` keeps. @default 7 */
  backupRetention?: number | undefined;
}

/** The newest version of a key, as `latestByKeys` and `upsert` see it. */
export interface LatestVersion {
  id: string;
  /** `contentHash(data)` of that version. */
  contentHash: string;
}

export type UpsertOutcome = 'new' | 'updated' | 'unchanged';

export interface UpsertResult {
  /** The records actually appended (new keys, changed content, and records without a key). */
  appended: StoredRecord[];
  /** One outcome per input record, in input order. */
  outcomes: UpsertOutcome[];
  counts: Record<UpsertOutcome, number>;
}

/** `TraceStore.upsertEncoded`'s result: one outcome code per record (0 new, 1 updated, 2 unchanged). */
export interface EncodedUpsertResult {
  outcomes: Uint8Array;
  counts: Record<UpsertOutcome, number>;
}

export interface RotateResult {
  /** Where the active file went, relative to the data dir; null when it was empty. */
  archived: string | null;
  bytes: number;
}

export interface CompactResult {
  /** The new active file, relative to the data dir. */
  file: string;
  kept: number;
  /** Superseded versions left out of the new file. */
  dropped: number;
  /** Unreadable lines moved to the quarantine file instead of being copied. */
  quarantined: number;
  /** Folder holding the files the compaction replaced, relative to the data dir; null when nothing needed compacting. */
  archivedTo: string | null;
}

export interface BackupResult {
  /** Absolute path of the new backup folder. */
  dir: string;
  files: number;
  bytes: number;
  /** Backup folders deleted by retention. */
  removed: string[];
}

export interface CollectionStats {
  collection: CollectionName;
  /** Indexed records (every version). */
  records: number;
  /** Distinct keys (the "latest wins" view counts these plus keyless records). */
  keys: number;
  /** Live files: archives then the active file, relative to the data dir. */
  files: string[];
  bytes: number;
}
