export { TraceStore, COLLECTIONS } from './trace-store.ts';
export { contentHash, encodeRecords, isCanonicalPost } from './record-codec.ts';
export type { EncodedBatch } from './record-codec.ts';
export { StoreConfigSchema, storeOptionsFromConfig } from './config.ts';
export type { StoreConfig } from './config.ts';
export {
  isPostRecord,
  isTraceRecord,
  isStrategyRecord,
  isCandidateRecord,
  isEvaluationRecord,
  isCheckpointRecord,
} from './guards.ts';
export type {
  BackupResult,
  CollectionStats,
  CompactResult,
  EncodedUpsertResult,
  FieldValue,
  LatestVersion,
  NewRecord,
  ReadOptions,
  RecordDataByType,
  RecordFilter,
  RecoveryReport,
  RotateResult,
  StoreOptions,
  StoreProblem,
  StoredRecord,
  UpsertOutcome,
  UpsertResult,
} from './types.ts';
