export { GenerationProgram, buildProgramInputs, DEFAULT_INSTRUCTION, DEFAULT_SAMPLING, PROGRAM_COMPONENTS, shortenPost } from './program.ts';
export type { GenerationInputs, GenerationOutput, SamplingSettings } from './program.ts';
export { BUILTIN_STRATEGIES, strategyFromRecord } from './builtin-strategies.ts';
export type { GenerationStrategy } from './builtin-strategies.ts';
export { rankStrategies, assignStrategies } from './strategies.ts';
export type { RankedStrategy } from './strategies.ts';
export { selectExamples, bm25Scores } from './examples.ts';
export type { ExamplePost, SelectExamplesOptions } from './examples.ts';
export { splitThread } from './thread-split.ts';
export type { SplitThreadOptions } from './thread-split.ts';
export { collapseNearDuplicates, indexPastPosts } from './dedupe.ts';
export type { PastPostIndex } from './dedupe.ts';
export { composeOffline, OFFLINE_LM } from './offline-composer.ts';
export { generateCandidates, axGeneratorLm, tokenBudget } from './generate.ts';
export { generatorLmFrom } from './lm-session.ts';
export type {
  GenerateCandidatesOptions,
  GenerateCandidatesResult,
  GeneratedCandidate,
  GeneratorLm,
  LmSession,
  CandidateUsage,
  CandidateVerdict,
  RuleVerdict,
} from './generate.ts';
export { runGeneration, describePlatformRules, latestMinedStrategies } from './run-generation.ts';
export type { RunGenerationOptions, RunGenerationResult } from './run-generation.ts';
export { loadTunedPipeline, TunedPipelineSchema } from './tuned-pipeline.ts';
export type { TunedPipeline } from './tuned-pipeline.ts';
