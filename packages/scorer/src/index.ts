export { CandidateScorer } from './candidate-scorer.ts';
export type { Candidate, Contribution, RankedCandidate, ScoreResult } from './candidate-scorer.ts';
export {
  ScorerConfigSchema,
  HEURISTIC_SIGNALS,
  DEFAULT_WEIGHTS,
  DEFAULT_PLATFORM_WEIGHTS,
  DEFAULT_SWEET_SPOT,
  parseScorerConfig,
  weightsFor,
  sweetSpotFor,
} from './config.ts';
export type { HeuristicSignal, ScorerConfig, ScorerConfigInput } from './config.ts';
export { ENGAGEMENT_WEIGHTS, engagementOf, periodNormalizedEngagement, weightedEngagement } from './engagement.ts';
export type { PeriodNormalizeOptions } from './engagement.ts';
export { heuristicSignals, heuristicScore, lengthFit } from './heuristic-layer.ts';
export {
  EngagementModelSchema,
  MODEL_FORMAT,
  MODEL_TARGET,
  fitEngagementModel,
  usablePosts,
  dominantPlatform,
  postsFingerprint,
} from './model.ts';
export type { EngagementFit, EngagementModel, FitOptions } from './model.ts';
export {
  engagementModelPath,
  saveEngagementModel,
  loadEngagementModel,
  readStorePosts,
  loadOrFitEngagementModel,
} from './model-store.ts';
export type { LoadOrFitOptions, LoadOrFitResult } from './model-store.ts';
export { backtest } from './backtest.ts';
export type { BacktestOptions, BacktestResult, RankingQuality } from './backtest.ts';
export { spearman, pearson, pairwiseAccuracy, ranks } from './stats.ts';
