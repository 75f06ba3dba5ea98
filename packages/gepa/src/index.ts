export { runGepa } from './engine.ts';
export type {
  Candidate,
  CandidateSelection,
  GepaAdapter,
  GepaCandidateSummary,
  GepaEvaluation,
  GepaIterationEvent,
  GepaOptions,
  GepaResult,
  GepaStopReason,
  LineageEntry,
} from './types.ts';
export { paretoFronts, paretoSurvivors, paretoSamplingWeights, sampleParetoCandidate } from './pareto.ts';
export { SeededRng } from './rng.ts';
export { buildReflectionMessages, extractFencedText } from './reflection.ts';
export type { ReflectionRecord } from './reflection.ts';
export { createProgramAdapter, createAxAdapter } from './program-adapter.ts';
export type { Metric, MetricResult, ProgramAdapterOptions, AxAdapterOptions, AxTunableProgram } from './program-adapter.ts';
export { createPostMetric, judgeVoice } from './post-metric.ts';
export type { PostScorer, PostMetricOptions, VoiceJudge } from './post-metric.ts';
export { checkpointFile, readCheckpoint, GepaStateSchema, GepaStepSchema } from './checkpoint.ts';
export type { GepaState, GepaStep, LoadedCheckpoint } from './checkpoint.ts';
export { writeTunedPipeline, tunedPipelineDocument, TunedPipelineFileSchema } from './tuned-pipeline.ts';
export type { TunedPipelineFile, TunedPipelineInput } from './tuned-pipeline.ts';
export { GepaConfigSchema } from './config.ts';
export type { GepaConfig } from './config.ts';
export { buildTuningSets, splitByTime, deriveBrief, readTuningExamples, TuningExampleSchema } from './tuning-sets.ts';
export type { TuningExample, TuningSets, BuildTuningSetsOptions } from './tuning-sets.ts';
