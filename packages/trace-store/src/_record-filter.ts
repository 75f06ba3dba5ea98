import { ReerError } from '@reer/core';
import { typeIndex } from './record-codec.ts';
import type { RecordFilter, StoredRecord } from './types.ts';

function toTime(value: string | Date, what: string): number {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ReerError('E_USAGE', `${what}: not a valid time: ${String(value)}`, {
      hint: 'Use an ISO 8601 time such as 2024-01-31 or 2024-01-31T12:00:00Z.',
    });
  }
  return ms;
}

function fieldAt(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A `RecordFilter` with its times parsed and its `where` as pairs, checked once per query. */
export interface CompiledFilter {
  type: number;
  source: string | undefined;
  since: number;
  until: number;
  timeField: string | undefined;
  where: [string, string | number | boolean][];
}

export function compileFilter(filter: RecordFilter | undefined): CompiledFilter {
  return {
    type: filter?.type === undefined ? -1 : typeIndex(filter.type),
    source: filter?.source,
    since: filter?.since === undefined ? Number.NEGATIVE_INFINITY : toTime(filter.since, 'since'),
    until: filter?.until === undefined ? Number.POSITIVE_INFINITY : toTime(filter.until, 'until'),
    timeField: filter?.timeField,
    where: Object.entries(filter?.where ?? {}),
  };
}

/** Whether a record passes the filter's source, time range and `where` fields (the type is checked by the index). */
export function matches(record: StoredRecord, filter: CompiledFilter): boolean {
  if (filter.source !== undefined && record.source !== filter.source) return false;
  if (filter.since !== Number.NEGATIVE_INFINITY || filter.until !== Number.POSITIVE_INFINITY) {
    const raw = filter.timeField === undefined ? record.timestamp : fieldAt(record.data, filter.timeField);
    if (typeof raw !== 'string') return false;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms) || ms < filter.since || ms >= filter.until) return false;
  }
  for (const [path, expected] of filter.where) if (fieldAt(record.data, path) !== expected) return false;
  return true;
}
