import type { Platform, PostData } from '@reer/core';
import { extractFeatures, platformLength } from '@reer/heuristics';
import { CandidateScorer } from './candidate-scorer.ts';
import { parseScorerConfig, type ScorerConfig } from './config.ts';
import { engagementOf } from './engagement.ts';
import { dominantPlatform, fitEngagementModel, usablePosts, type EngagementFit } from './model.ts';
import { pairwiseAccuracy, spearman } from './stats.ts';

export interface RankingQuality {
  /** Spearman correlation between score and real engagement on the held-out posts. */
  spearman: number;
  /** Share of held-out pairs ordered right (pairs with equal engagement excluded). */
  pairwise_accuracy: number | null;
}

export interface BacktestResult {
  platform: Platform | null;
  split: number;
  train_posts: number;
  test_posts: number;
  /** Held-out posts with non-zero engagement: too few makes every figure noise. */
  test_nonzero: number;
  train_until: string | null;
  model: { status: EngagementFit['status']; reason?: string; cv_spearman?: number; blend_weight?: number; lambda?: number };
  /** The full scorer (heuristics blended with the model fit on the earlier posts). */
  scorer: RankingQuality;
  baselines: { length: RankingQuality; has_link: RankingQuality; heuristic: RankingQuality };
  /** The scorer's Spearman is above every baseline's. */
  beats_baselines: boolean;
}

export interface BacktestOptions {
  /** Share of original posts, oldest first, to fit on. @default 0.7 */
  split?: number;
  platform?: Platform;
  author?: string;
  config?: ScorerConfig;
}

function quality(score: readonly number[], truth: readonly number[]): RankingQuality {
  return { spearman: spearman(score, truth), pairwise_accuracy: pairwiseAccuracy(score, truth) };
}

/**
 * Honest evaluation on the author's own history: fit on the earliest `split` of original posts,
 * score the rest as if unseen (text, platform and time only) and compare the ranking with their
 * real reach-normalized engagement (`engagementOf`), next to simple baselines. The length and
 * has-link baselines take the direction that fit the training posts best, to be fair to them.
 */
export function backtest(posts: readonly PostData[], options: BacktestOptions = {}): BacktestResult {
  const config = options.config ?? parseScorerConfig({});
  const split = options.split ?? 0.7;
  const platform = options.platform ?? dominantPlatform(options.author === undefined ? posts : posts.filter((p) => p.author === options.author));
  const usable = platform === null ? [] : usablePosts(posts, platform, options.author).sort((a, b) => a.created_at.localeCompare(b.created_at));
  const cut = Math.floor(usable.length * split);
  const train = usable.slice(0, cut);
  const test = usable.slice(cut);
  const fit = fitEngagementModel(train, { platform: platform ?? undefined, author: options.author, config });
  const model = fit.status === 'fitted' ? fit.model : null;
  const truth = test.map((p) => engagementOf(p) ?? 0);
  const trainTruth = train.map((p) => engagementOf(p) ?? 0);

  const withModel = new CandidateScorer(config, model);
  const heuristicOnly = new CandidateScorer(config, null);
  const candidate = (p: PostData) => ({ text: p.text, platform: p.platform, created_at: p.created_at });
  const scorerScores = test.map((p) => withModel.score(candidate(p)).score);
  const heuristicScores = test.map((p) => heuristicOnly.score(candidate(p)).score);
  const directed = (f: (p: PostData) => number) => {
    const sign = spearman(train.map(f), trainTruth) < 0 ? -1 : 1;
    return test.map((p) => sign * f(p));
  };
  const lengthScores = directed((p) => platformLength(p.text, p.platform));
  const linkScores = directed((p) => (extractFeatures(p.text).links > 0 ? 1 : 0));

  const scorer = quality(scorerScores, truth);
  const baselines = {
    length: quality(lengthScores, truth),
    has_link: quality(linkScores, truth),
    heuristic: quality(heuristicScores, truth),
  };
  return {
    platform,
    split,
    train_posts: train.length,
    test_posts: test.length,
    test_nonzero: truth.filter((t) => t > 0).length,
    train_until: train.at(-1)?.created_at ?? null,
    model:
      fit.status === 'fitted'
        ? { status: 'fitted', cv_spearman: fit.model.cv.spearman, blend_weight: fit.model.cv.blend_weight, lambda: fit.model.cv.lambda }
        : { status: 'insufficient', reason: fit.reason },
    scorer,
    baselines,
    beats_baselines: Object.values(baselines).every((b) => scorer.spearman > b.spearman),
  };
}
