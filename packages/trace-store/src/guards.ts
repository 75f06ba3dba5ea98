import type { StoredRecord } from './types.ts';

export function isPostRecord(record: StoredRecord): record is StoredRecord<'post'> {
  return record.type === 'post';
}
export function isTraceRecord(record: StoredRecord): record is StoredRecord<'trace'> {
  return record.type === 'trace';
}
export function isStrategyRecord(record: StoredRecord): record is StoredRecord<'strategy'> {
  return record.type === 'strategy';
}
export function isCandidateRecord(record: StoredRecord): record is StoredRecord<'candidate'> {
  return record.type === 'candidate';
}
export function isEvaluationRecord(record: StoredRecord): record is StoredRecord<'evaluation'> {
  return record.type === 'evaluation';
}
export function isCheckpointRecord(record: StoredRecord): record is StoredRecord<'checkpoint'> {
  return record.type === 'checkpoint';
}
