export { ReerConfigSchema, defaultReerConfig } from './config.ts';
export type { ReerConfig } from './config.ts';
export { segmentText, segmentSpans, joinSegments } from './segment.ts';
export type { TextSpan } from './segment.ts';
export {
  PROMPT_FORMATS,
  DEFAULT_SCORE_OPTIONS,
  scoringPrompt,
  scoringContinuation,
  scoredStartInPost,
  scoreRequests,
  scoreTrajectories,
  tokensInSpan,
} from './reer-score.ts';
export type { PromptFormat, ReerScoreOptions, ScoringLm, ScoringContinuation, ScoreInputs, TrajectoryScore } from './reer-score.ts';
export { reerSearch, DEFAULT_SEARCH_PARAMS } from './search.ts';
export type { SearchParams, SearchDeps, SearchStep, SearchOutcome, RewriteContext, StopReason } from './search.ts';
export { checkLeak, ngramOverlap, DEFAULT_LEAK_OPTIONS } from './leak.ts';
export type { LeakOptions, LeakResult } from './leak.ts';
export { extractRewrite, extractQuery, initialTrajectoryMessages, rewriteMessages, queryMessages } from './prompts.ts';
export { synthesizeTrajectory } from './synthesize.ts';
export type { GeneratorLm, GenerationParams, SynthesisInput, SynthesisOptions, SynthesisResult, SynthesisUsage } from './synthesize.ts';
export { createScoreBatcher } from './score-batcher.ts';
export type { BatcherStats } from './score-batcher.ts';
export { extractQueryFromPost, writeQuery } from './query.ts';
export { postStructure, structureKey, POST_FORMATS, STRUCTURE_LEVELS } from './structure.ts';
export type { PostStructure, PostFormat, Tone, LengthBand } from './structure.ts';
export { selectExemplars, isOriginal } from './exemplars.ts';
export type { ExemplarSelection } from './exemplars.ts';
export { mineStrategies, clusterByStructure } from './strategies.ts';
export type { ScoredPost, StrategyInput, StrategyOptions } from './strategies.ts';
export { mine, refreshStrategies, loadScoredPosts, loadTraces, findTrace, assertCanScore, SCORING_PROVIDERS, MINE_SOURCE, STRATEGIES_SOURCE } from './mine.ts';
export type { MineOptions, MineSummary, MineProgress, MiningStore, EngagementRanker, StrategiesOptions } from './mine.ts';
