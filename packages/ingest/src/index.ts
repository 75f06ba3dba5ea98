// @reer/ingest public API: read analytics exports, normalize them to posts, and ingest them into the store.
export { ingestPaths, planIngest, expandPaths } from './ingest.ts';
export type { IngestOptions, IngestProgress, IngestCounts, IngestSummary, FileSummary } from './ingest.ts';
export { detectFormat, parseMapOption } from './detect.ts';
export type { Detection, FileKind } from './detect.ts';
export { readExport, readLinkedinGroup } from './read-export.ts';
export { computeStats } from './stats.ts';
export type { StoreStats, AuthorStats } from './stats.ts';
export { IngestConfigSchema, ingestConfig } from './config.ts';
export type { IngestConfig } from './config.ts';
export { CsvParser, parseCsv } from './csv.ts';
export { readTextChunks } from './text-chunks.ts';
export { parseCount, parseRate, parseDate, decodeEntities, repairMojibake, resolvePostId } from './values.ts';
export type { ParsedDate, DatePrecision } from './values.ts';
export { FORMAT_IDS, FIELD_NAMES } from './types.ts';
export type { FormatId, FieldName, ParsedPost, RejectedRow, ReadOptions, ReadBatch } from './types.ts';
