import { PlatformSchema, postKey, type Platform, type PostData } from '@reer/core';
import { analyzeText, checkPlatformRules } from '@reer/heuristics';
import { z } from 'zod';
import { parseScorerConfig, sweetSpotFor, weightsFor, type ScorerConfig } from './config.ts';
import { DENSE_COUNT, DENSE_FEATURES, TIME_FEATURES_FROM, UNPENALIZED_FEATURES, denseFeatures, termsOf } from './_vectorize.ts';
import { engagementOf, periodNormalizedEngagement } from './engagement.ts';
import { heuristicScore, heuristicSignals } from './heuristic-layer.ts';
import { predictRows, solveRidge, standardize, type SparseDesign } from './_ridge.ts';
import { pairwiseAccuracy, spearman } from './stats.ts';

export const MODEL_FORMAT = 'reer-engagement-model';

/** What the model predicts, in words (stored with it). */
export const MODEL_TARGET =
  'log1p(1000 × (3·likes + 5·replies + 4·reposts + 4·quotes + 5·bookmarks + 5·shares) / impressions) (log1p of the weighted sum without impressions), minus the median of the author\'s original posts in a centered window';

/** A fitted engagement model as saved to `data/models/engagement-model.json`. */
export const EngagementModelSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    version: z.literal(1),
    platform: PlatformSchema,
    author: z.string().nullable(),
    fitted_at: z.iso.datetime(),
    fit: z.object({
      posts: z.number().int().positive(),
      first_created_at: z.iso.datetime(),
      last_created_at: z.iso.datetime(),
      /** Hash of the posts' keys and engagement: a changed store means a stale model. */
      fingerprint: z.string(),
      target: z.string(),
      detrend_window_days: z.number().positive(),
      vocabulary_size: z.number().int().nonnegative(),
      /** Features the ridge penalty left unshrunk (empty in models from before there were any). */
      unpenalized: z.array(z.string()).default([]),
    }),
    cv: z.object({
      folds: z.number().int().positive(),
      lambda: z.number().positive(),
      lambdas: z.array(z.object({ lambda: z.number().positive(), spearman: z.number() })),
      /** Out-of-fold Spearman of the model alone against the de-trended target. */
      spearman: z.number(),
      pairwise_accuracy: z.number().nullable(),
      /** The same for the heuristic layer alone, for comparison. */
      heuristic_spearman: z.number(),
      /** Share of the final score given to this model (chosen on the out-of-fold predictions). */
      blend_weight: z.number().min(0).max(1),
      blend_spearman: z.number(),
    }),
    intercept: z.number(),
    dense: z.array(z.object({ name: z.string(), mean: z.number(), inv_std: z.number(), weight: z.number() })),
    /** [word or word pair, weight, share of training posts containing it]. */
    terms: z.array(z.tuple([z.string(), z.number(), z.number()])),
    prediction: z.object({ mean: z.number(), std: z.number().nonnegative() }),
    /**
     * How replies do against original posts in the author's history (median difference of the
     * target, in its units), added to a candidate that reads as a reply: the model itself only saw
     * originals. Null when the history has too few replies with metrics.
     */
    reply_offset: z.number().nullable(),
  })
  .strict();
export type EngagementModel = z.infer<typeof EngagementModelSchema>;

/** The outcome of a fit: a model, or an explicit statement that the history is too short. */
export type EngagementFit =
  | { status: 'fitted'; model: EngagementModel }
  | { status: 'insufficient'; platform: Platform | null; posts: number; needed: number; reason: string };

export interface FitOptions {
  /** Fit on this platform's posts; by default the platform with the most usable posts. */
  platform?: Platform;
  /** Only this author's posts (exports of one account usually have one author). */
  author?: string;
  /** The `scorer:` config section (defaults when absent). */
  config?: ScorerConfig;
  /** Clock for `fitted_at`. */
  now?: () => Date;
}

/** Original posts with engagement, the only ones a model learns from. */
export function usablePosts(posts: readonly PostData[], platform?: Platform, author?: string): PostData[] {
  return posts.filter(
    (p) => !p.is_reply && !p.is_repost && (platform === undefined || p.platform === platform) && (author === undefined || p.author === author) && engagementOf(p) !== null,
  );
}

/** The platform with the most usable posts, or null when there are none. */
export function dominantPlatform(posts: readonly PostData[]): Platform | null {
  const counts = new Map<Platform, number>();
  for (const p of usablePosts(posts)) counts.set(p.platform, (counts.get(p.platform) ?? 0) + 1);
  let best: Platform | null = null;
  for (const [platform, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = platform;
  return best;
}

/** FNV-1a over the posts' keys and engagement: equal when the training set is unchanged. */
export function postsFingerprint(posts: readonly PostData[]): string {
  const parts = posts.map((p) => `${postKey(p)}=${engagementOf(p)?.toFixed(6) ?? 'null'}`).sort();
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 10;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${posts.length}:${h.toString(16).padStart(8, '0')}`;
}

/** Logistic squashing of a prediction against the training predictions: 0.5 is a typical post. */
export function squash(prediction: number, stats: { mean: number; std: number }): number {
  if (stats.std === 0) return 0.5;
  return 1 / (1 + Math.exp((-1.7 * (prediction - stats.mean)) / stats.std));
}

function medianOf(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** Fewest replies with metrics needed to estimate the reply offset. */
const MIN_REPLIES = 10;

/**
 * Median engagement of the author's replies minus that of their originals over the same period
 * (the span of the replies), so follower growth does not masquerade as a reply effect.
 */
function replyOffset(posts: readonly PostData[], originals: readonly PostData[], platform: Platform, author: string | undefined): number | null {
  const replies = posts.filter((p) => p.is_reply && !p.is_repost && p.platform === platform && (author === undefined || p.author === author));
  const replyValues = replies.map((p) => engagementOf(p)).filter((e): e is number => e !== null);
  if (replyValues.length < MIN_REPLIES) return null;
  const times = replies.map((p) => p.created_at).sort();
  const from = times[0]!;
  const to = times.at(-1)!;
  const within = originals.filter((p) => p.created_at >= from && p.created_at <= to).map((p) => engagementOf(p) ?? 0);
  if (within.length < MIN_REPLIES) return null;
  return medianOf(replyValues) - medianOf(within);
}

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < values.length; i++) m += values[i]!;
  m /= Math.max(1, values.length);
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i]! - m) ** 2;
  return { mean: m, std: Math.sqrt(v / Math.max(1, values.length)) };
}

/**
 * Ridge penalty factor per column: 0 for the unpenalized core (see `UNPENALIZED_FEATURES`), 1 for
 * the rest. The model then contains the length baseline and any penalty, however heavy, only
 * shrinks what it adds on top.
 */
function penaltyFactors(cols: number): Float64Array {
  const penalty = new Float64Array(cols).fill(1);
  for (const name of UNPENALIZED_FEATURES) penalty[DENSE_FEATURES.findIndex(([n]) => n === name)] = 0;
  return penalty;
}

interface Prepared {
  design: SparseDesign;
  y: Float64Array;
  heuristic: Float64Array;
  vocabulary: string[];
  timeMeans: number[];
}

function prepare(posts: readonly PostData[], platform: Platform, config: ScorerConfig, target: Map<string, number>): Prepared {
  const n = posts.length;
  const dense = new Float64Array(n * DENSE_COUNT);
  const termSets: Set<string>[] = [];
  const heuristic = new Float64Array(n);
  const weights = weightsFor(config, platform);
  const sweet = sweetSpotFor(config, platform);
  const row = new Float64Array(DENSE_COUNT);
  const df = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const post = posts[i]!;
    const { features, tokens } = analyzeText(post.text);
    denseFeatures(features, post.created_at, row);
    dense.set(row, i * DENSE_COUNT);
    const terms = termsOf(tokens);
    termSets.push(terms);
    for (const t of terms) df.set(t, (df.get(t) ?? 0) + 1);
    const length = checkPlatformRules(post.text, platform).length;
    heuristic[i] = heuristicScore(heuristicSignals(features, length, sweet), weights).logit;
  }
  // Time features: a missing date becomes the mean of the known ones (no effect on the fit).
  const timeMeans: number[] = [];
  for (let c = TIME_FEATURES_FROM; c < DENSE_COUNT; c++) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = dense[i * DENSE_COUNT + c]!;
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    const mean = count === 0 ? 0 : sum / count;
    timeMeans.push(mean);
    for (let i = 0; i < n; i++) if (Number.isNaN(dense[i * DENSE_COUNT + c]!)) dense[i * DENSE_COUNT + c] = mean;
  }
  const vocabulary = [...df]
    .filter(([, count]) => count >= config.model.min_document_frequency && count < n)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, config.model.vocabulary_size)
    .map(([term]) => term);
  const termIndex = new Map(vocabulary.map((t, i) => [t, DENSE_COUNT + i]));
  const rowPtr = new Int32Array(n + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < DENSE_COUNT; c++) {
      const v = dense[i * DENSE_COUNT + c]!;
      if (v !== 0) {
        colIdx.push(c);
        values.push(v);
      }
    }
    const cols: number[] = [];
    for (const t of termSets[i]!) {
      const c = termIndex.get(t);
      if (c !== undefined) cols.push(c);
    }
    cols.sort((a, b) => a - b);
    for (const c of cols) {
      colIdx.push(c);
      values.push(1);
    }
    rowPtr[i + 1] = colIdx.length;
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = target.get(postKey(posts[i]!)) ?? 0;
  return {
    design: { rows: n, cols: DENSE_COUNT + vocabulary.length, rowPtr, colIdx: Int32Array.from(colIdx), values: Float64Array.from(values) },
    y,
    heuristic,
    vocabulary,
    timeMeans,
  };
}

/**
 * Fit the engagement model on an author's original posts (replies and reposts excluded): ridge
 * regression of period-normalized engagement on the heuristic features plus word and word-pair
 * indicators, with the penalty chosen by time-ordered (expanding window) cross-validation, and the
 * blend weight against the heuristic layer chosen on the out-of-fold predictions. Pure: pass the
 * posts; nothing is read or written.
 */
export function fitEngagementModel(posts: readonly PostData[], options: FitOptions = {}): EngagementFit {
  const config = options.config ?? parseScorerConfig({});
  const platform = options.platform ?? dominantPlatform(options.author === undefined ? posts : posts.filter((p) => p.author === options.author));
  const needed = config.model.min_posts;
  if (platform === null) {
    return { status: 'insufficient', platform: null, posts: 0, needed, reason: 'no original posts with engagement metrics' };
  }
  const usable = usablePosts(posts, platform, options.author).sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (usable.length < needed) {
    return {
      status: 'insufficient',
      platform,
      posts: usable.length,
      needed,
      reason: `${usable.length} original ${platform} posts with engagement metrics; the model needs at least ${needed}`,
    };
  }
  const target = periodNormalizedEngagement(usable, { windowDays: config.model.detrend_window_days });
  const prep = prepare(usable, platform, config, target);
  const { design, y } = prep;
  if (meanStd(y).std === 0) {
    return { status: 'insufficient', platform, posts: usable.length, needed, reason: 'every post has the same engagement: nothing to learn' };
  }

  const penalty = penaltyFactors(design.cols);
  // Expanding-window folds: train on blocks [0, k), validate on block k.
  const folds = config.model.folds;
  const blocks = folds + 1;
  const n = design.rows;
  const lambdas = [...config.model.lambdas].sort((a, b) => b - a);
  const perLambda = new Map<number, { sum: number; weight: number }>();
  const oof = new Map<number, Float64Array>();
  let oofFrom = n;
  for (let k = 1; k <= folds; k++) {
    const trainTo = Math.floor((k * n) / blocks);
    const validTo = Math.floor(((k + 1) * n) / blocks);
    if (trainTo < 5 || validTo - trainTo < 3) continue;
    oofFrom = Math.min(oofFrom, trainTo);
    const s = standardize(design, 0, trainTo, DENSE_COUNT);
    let yMean = 0;
    for (let r = 0; r < trainTo; r++) yMean += y[r]!;
    yMean /= trainTo;
    let warm: Float64Array | undefined;
    for (const lambda of lambdas) {
      const w = solveRidge(design, s, y, 0, trainTo, lambda, { warm, penalty });
      warm = w;
      const pred = predictRows(design, s, w, yMean, trainTo, validTo);
      const rho = spearman(Array.from(pred), Array.from(y.subarray(trainTo, validTo)));
      const acc = perLambda.get(lambda) ?? { sum: 0, weight: 0 };
      acc.sum += rho * (validTo - trainTo);
      acc.weight += validTo - trainTo;
      perLambda.set(lambda, acc);
      let out = oof.get(lambda);
      if (!out) {
        out = new Float64Array(n).fill(Number.NaN);
        oof.set(lambda, out);
      }
      // Squash per fold so each fold's predictions are on the scale the scorer will use. The
      // spread of the fold's own predictions stands in for the training spread (no labels used).
      const stats = meanStd(pred);
      for (let i = 0; i < pred.length; i++) out[trainTo + i] = squash(pred[i]!, stats);
    }
  }
  const lambdaScores = lambdas.map((lambda) => {
    const acc = perLambda.get(lambda);
    return { lambda, spearman: acc && acc.weight > 0 ? acc.sum / acc.weight : 0 };
  });
  const best = lambdaScores.reduce((a, b) => (b.spearman > a.spearman ? b : a), lambdaScores[0]!);

  // Blend weight: the share of the model that ranks the out-of-fold posts best.
  const oofModel = Array.from((oof.get(best.lambda) ?? new Float64Array(n)).subarray(oofFrom));
  const oofTruth = Array.from(y.subarray(oofFrom));
  const oofHeuristic = Array.from(prep.heuristic.subarray(oofFrom), (logit) => 1 / (1 + Math.exp(-logit)));
  const heuristicRho = spearman(oofHeuristic, oofTruth);
  let blend = 0;
  let blendRho = heuristicRho;
  if (best.spearman > 0) {
    for (let step = 1; step <= 20; step++) {
      const beta = (step / 20) * config.model.max_blend;
      const mixed = oofModel.map((m, i) => (1 - beta) * oofHeuristic[i]! + beta * m);
      const rho = spearman(mixed, oofTruth);
      if (rho > blendRho + 1e-9) {
        blendRho = rho;
        blend = beta;
      }
    }
  }

  const s = standardize(design, 0, n, DENSE_COUNT);
  const yStats = meanStd(y);
  const w = solveRidge(design, s, y, 0, n, best.lambda, { penalty });
  const trainPred = predictRows(design, s, w, yStats.mean, 0, n);
  const model: EngagementModel = {
    format: MODEL_FORMAT,
    version: 1,
    platform,
    author: options.author ?? null,
    fitted_at: (options.now?.() ?? new Date()).toISOString(),
    fit: {
      posts: n,
      first_created_at: usable[0]!.created_at,
      last_created_at: usable[n - 1]!.created_at,
      fingerprint: postsFingerprint(usable),
      target: MODEL_TARGET,
      detrend_window_days: config.model.detrend_window_days,
      vocabulary_size: prep.vocabulary.length,
      unpenalized: [...UNPENALIZED_FEATURES],
    },
    cv: {
      folds,
      lambda: best.lambda,
      lambdas: lambdaScores,
      spearman: best.spearman,
      pairwise_accuracy: pairwiseAccuracy(oofModel, oofTruth),
      heuristic_spearman: heuristicRho,
      blend_weight: blend,
      blend_spearman: blendRho,
    },
    intercept: yStats.mean,
    dense: DENSE_FEATURES.map(([name], c) => ({
      name,
      mean: c >= TIME_FEATURES_FROM && s.invStd[c] === 0 ? (prep.timeMeans[c - TIME_FEATURES_FROM] ?? 0) : s.mean[c]!,
      inv_std: s.invStd[c]!,
      weight: w[c]!,
    })),
    terms: prep.vocabulary.map((term, i) => [term, w[DENSE_COUNT + i]! * s.invStd[DENSE_COUNT + i]!, s.mean[DENSE_COUNT + i]!] as [string, number, number]),
    prediction: meanStd(trainPred),
    reply_offset: replyOffset(posts, usable, platform, options.author),
  };
  return { status: 'fitted', model };
}
