export { TraceStore, COLLECTIONS } from './trace-store.ts';
export { contentHash, isCanonicalPost } from './record-codec.ts';
export { encodeRecords } from './encoded-batch.ts';
export type { EncodedBatch } from './encoded-batch.ts';
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
