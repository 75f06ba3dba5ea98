export { ERROR_CODES, ReerError, isReerError, errorMessage } from './errors.ts';
export type { ErrorCode, ErrorKind, ReerErrorOptions } from './errors.ts';
export { formatZodIssues } from './zod-issues.ts';
export { loadEnv, secretValues, SECRET_ENV_VARS } from './env.ts';
export type { Env } from './env.ts';
export { DATA_LAYOUT, resolveDataDir, dataPath } from './paths.ts';
export type { CollectionName } from './paths.ts';
export { loadConfig, configSection, DEFAULT_CONFIG_PATH } from './config.ts';
export type { LoadedConfig, RawConfig } from './config.ts';
export { createLogger, silentLogger, LOG_LEVELS } from './logger.ts';
export type { Logger, LoggerOptions } from './logger.ts';
export {
  PLATFORMS,
  PlatformSchema,
  PostMetricsSchema,
  PostDataSchema,
  POST_FIELDS,
  METRIC_NAMES,
  keysInOrder,
  postKey,
} from './schemas/post.ts';
export type { Platform, PostMetrics, PostData, MetricName } from './schemas/post.ts';
export { RECORD_TYPES, RecordTypeSchema, RecordEnvelopeSchema } from './schemas/record.ts';
export type { RecordType, RecordEnvelope } from './schemas/record.ts';
export { TraceDataSchema, SearchStepSchema } from './schemas/trace.ts';
export type { TraceData } from './schemas/trace.ts';
export { StrategyDataSchema } from './schemas/strategy.ts';
export type { StrategyData } from './schemas/strategy.ts';
export { CandidateDataSchema, UsageSchema } from './schemas/candidate.ts';
export type { CandidateData, UsageData } from './schemas/candidate.ts';
export { EvaluationDataSchema } from './schemas/evaluation.ts';
export type { EvaluationData } from './schemas/evaluation.ts';
export { CheckpointDataSchema } from './schemas/checkpoint.ts';
export type { CheckpointData } from './schemas/checkpoint.ts';
export { RECORD_DATA_SCHEMAS, recordKey } from './schemas/registry.ts';
export { seededRandom } from './random.ts';
