import { randomUUID } from 'node:crypto';
import { ReerError, errorMessage, isReerError, postKey, type Logger, type PostData, type StrategyData, type TraceData } from '@reer/core';
import { isPostRecord, isTraceRecord, type TraceStore } from '@reer/trace-store';
import type { ReerConfig } from './config.ts';
import { selectExemplars, isOriginal, type ExemplarSelection } from './exemplars.ts';
import { extractQueryFromPost, writeQuery } from './query.ts';
import type { ReerScoreOptions, ScoringLm } from './reer-score.ts';
import { createScoreBatcher } from './score-batcher.ts';
import { mineStrategies, type ScoredPost } from './strategies.ts';
import { postStructure } from './structure.ts';
import { synthesizeTrajectory, type GeneratorLm, type SynthesisOptions } from './synthesize.ts';

/** The store operations mining needs. */
export type MiningStore = Pick<TraceStore, 'latest' | 'append'>;

/** A stored trace record as `show` needs it. */
export interface FoundTrace {
  id: string;
  timestamp: string;
  data: TraceData;
}

/**
 * Reach-normalized engagement of each post relative to the author's typical post of its period, in
 * log space, keyed by `postKey`; posts without engagement metrics are absent. The default is
 * `periodNormalizedEngagement` from `@reer/scorer`.
 */
export type EngagementRanker = (posts: readonly PostData[]) => Map<string, number>;

export const MINE_SOURCE = 'social-reer:mine';
export const STRATEGIES_SOURCE = 'social-reer:strategies';

export interface MineProgress {
  done: number;
  total: number;
  postKey: string;
  status: 'mined' | 'dropped' | 'failed';
}

export interface MineOptions {
  config: ReerConfig;
  engagement?: EngagementRanker | undefined;
  /** Absent with `noLm`. */
  generator?: GeneratorLm | undefined;
  /** Must have the `score` capability (may be the generator itself). */
  scorer?: ScoringLm | undefined;
  noLm?: boolean;
  /** Re-mine posts that already have a trace. */
  force?: boolean;
  selection?: ExemplarSelection;
  platform?: string | undefined;
  author?: string | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  onProgress?: (progress: MineProgress) => void;
  now?: () => Date;
}

export interface MineSummary {
  runId: string;
  mode: 'reer' | 'heuristic';
  /** Original posts considered, and exemplars chosen among them. */
  posts: number;
  exemplars: number;
  /** Exemplars that already had a trace (skipped without `force`). */
  skipped: number;
  mined: number;
  dropped: { post_key: string; reason: string }[];
  failed: { post_key: string; error: string }[];
  leaked: number;
  /** True when an abort signal stopped the run before every exemplar was tried. */
  interrupted: boolean;
  strategies: StrategyData[];
  usage: { generator_calls: number; input_tokens: number; output_tokens: number; cost_usd: number; scoring_calls: number; scored_candidates: number };
  models: { generator: string | null; scorer: string | null };
}

/** Providers whose backends can score a given continuation; named in the capability error. */
export const SCORING_PROVIDERS =
  'the MLX bridge (mlx::<model>), llama.cpp (llama::<model>), an OpenAI-compatible completions server that echoes logprobs (dspy::local/<model>, e.g. vLLM), or Together (dspy::together_ai/<model>)';

/** Refuses a scorer without the `score` capability before any work starts. */
export function assertCanScore(lm: Pick<ScoringLm, 'uri' | 'capabilities'>): void {
  if (!lm.capabilities.score) {
    throw new ReerError('E_CAPABILITY', `${lm.uri} cannot score a given text (no token log-probabilities), so it cannot be the REER scorer`, {
      hint: `Pass --scorer-lm with ${SCORING_PROVIDERS}; OpenAI chat models and Anthropic can only generate (--lm).`,
    });
  }
}

/** The original posts in the store that have engagement metrics, with engagement and structure. */
export async function loadScoredPosts(
  store: MiningStore,
  engagement?: EngagementRanker,
  filter: { platform?: string | undefined; author?: string | undefined } = {},
): Promise<ScoredPost[]> {
  const where: Record<string, string> = {};
  if (filter.platform) where.platform = filter.platform;
  if (filter.author) where.author = filter.author;
  const posts: PostData[] = [];
  for await (const record of store.latest('posts', Object.keys(where).length > 0 ? { where } : undefined)) {
    if (isPostRecord(record) && isOriginal(record.data)) posts.push(record.data);
  }
  // Loaded on first use: the scorer package is heavier than mining needs until here.
  const rank = engagement ?? (await import('@reer/scorer')).periodNormalizedEngagement;
  const values = rank(posts);
  const out: ScoredPost[] = [];
  for (const post of posts) {
    const value = values.get(postKey(post));
    if (value !== undefined) out.push({ post, engagement: value, structure: postStructure(post.text) });
  }
  return out;
}

/** Latest trace per post key. */
export async function loadTraces(store: MiningStore): Promise<Map<string, TraceData>> {
  const traces = new Map<string, TraceData>();
  for await (const record of store.latest('traces')) {
    if (isTraceRecord(record)) traces.set(record.data.post_key, record.data);
  }
  return traces;
}

function scoreOptions(config: ReerConfig): ReerScoreOptions {
  return { promptFormat: config.prompt_format, conditionFirstSegment: config.condition_first_segment, segmentMinChars: config.segment_min_chars, clip: config.logprob_clip };
}

function synthesisOptions(config: ReerConfig, signal: AbortSignal | undefined): SynthesisOptions {
  return {
    search: { maxSteps: config.max_steps, expansions: config.expansions, threshold: config.threshold },
    score: scoreOptions(config),
    generation: {
      temperature: config.generation.temperature,
      topP: config.generation.top_p,
      maxTokens: config.generation.max_tokens,
      initialAttempts: config.generation.initial_attempts,
      minTrajectoryTokens: config.min_trajectory_tokens,
      seed: config.generation.seed,
    },
    leak: config.leak,
    ...(signal ? { signal } : {}),
  };
}

/** Errors that would fail every post the same way: stop the run instead of trying the rest. */
function isFatal(error: unknown): boolean {
  return isReerError(error) && (error.kind === 'input' || error.code === 'E_PROVIDER_AUTH' || error.code === 'E_ABORTED');
}

const HEURISTIC_CHUNK = 1000;

/** A trace without an LM: the extracted query, no trajectory. */
function heuristicTrace(p: ScoredPost): TraceData {
  return {
    ...baseTrace(p),
    query: extractQueryFromPost(p.post, p.structure),
    query_source: 'extracted',
    trajectory: '',
    segments: [],
    initial_score: null,
    final_score: null,
    history: [],
    stop: null,
    leak: { flagged: false, overlap: 0 },
    models: { generator: null, scorer: null },
    mode: 'heuristic',
  };
}

function baseTrace(p: ScoredPost) {
  return {
    post_key: postKey(p.post),
    platform: p.post.platform,
    post_id: p.post.post_id,
    author: p.post.author,
    created_at: p.post.created_at,
    metrics: p.post.metrics,
    engagement: p.engagement,
    post_text: p.post.text,
  };
}

/**
 * Mines the author's best posts: chooses exemplars, writes the query behind each, runs the REER
 * search (or, with `noLm`, records extracted queries only), appends each trace to the store as
 * soon as it is finished (so an interrupted run keeps them and a rerun skips them), then mines and
 * stores strategies from all traces.
 */
export async function mine(store: MiningStore, options: MineOptions): Promise<MineSummary> {
  const { config } = options;
  const noLm = options.noLm ?? false;
  const generator = noLm ? undefined : options.generator;
  const scorerLm = noLm ? undefined : options.scorer;
  if (!noLm) {
    if (!generator || !scorerLm) {
      throw new ReerError('E_USAGE', 'mining with REER needs a generator LM and a scoring LM', { hint: 'Pass --lm <uri> (and --scorer-lm <uri>), set reer.lm in the config, or use --no-lm.' });
    }
    assertCanScore(scorerLm);
  }
  const now = options.now ?? (() => new Date());
  const runId = randomUUID();
  const logger = options.logger;
  const selection: ExemplarSelection = options.selection ?? (config.top_quantile !== undefined ? { topQuantile: config.top_quantile } : { topK: config.top_k });

  const posts = await loadScoredPosts(store, options.engagement, options);
  if (posts.length === 0) {
    throw new ReerError('E_INSUFFICIENT_DATA', 'no original posts with engagement metrics in the store to mine', {
      hint: 'Ingest an analytics export with likes, replies or reposts first (social-collect ingest <file>), or check --platform/--author.',
    });
  }
  const exemplars = selectExemplars(posts, selection);
  const existing = await loadTraces(store);
  const mode = noLm ? 'heuristic' : 'reer';
  const todo = exemplars.filter((p) => {
    if (options.force) return true;
    const trace = existing.get(postKey(p.post));
    // A heuristic trace does not count as mined for a REER run; any trace does for a heuristic one.
    return !trace || (mode === 'reer' && trace.mode !== 'reer');
  });

  const summary: MineSummary = {
    runId,
    mode,
    posts: posts.length,
    exemplars: exemplars.length,
    skipped: exemplars.length - todo.length,
    mined: 0,
    dropped: [],
    failed: [],
    leaked: 0,
    interrupted: false,
    strategies: [],
    usage: { generator_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0, scoring_calls: 0, scored_candidates: 0 },
    models: { generator: generator?.uri ?? null, scorer: scorerLm?.uri ?? null },
  };
  const scorer = scorerLm ? createScoreBatcher(scorerLm, config.score_batch) : undefined;
  const synthesis = synthesisOptions(config, options.signal);
  let done = 0;
  const report = (p: ScoredPost, status: MineProgress['status']) => options.onProgress?.({ done: ++done, total: todo.length, postKey: postKey(p.post), status });

  const mineOne = async (p: ScoredPost): Promise<{ trace: TraceData } | { dropped: string }> => {
    if (!generator || !scorer) throw new ReerError('E_INTERNAL', 'REER mining without models');
    let query: string;
    let queryTokens = { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0 };
    if (config.query_source === 'lm') {
      const written = await writeQuery(generator, p.post, options.signal);
      query = written.query;
      queryTokens = { inputTokens: written.inputTokens, outputTokens: written.outputTokens, costUsd: written.costUsd, calls: 1 };
    } else {
      query = extractQueryFromPost(p.post, p.structure);
    }
    const result = await synthesizeTrajectory({ query, post: p.post.text, platform: p.post.platform }, { generator, scorer }, synthesis);
    summary.usage.generator_calls += result.usage.generatorCalls + queryTokens.calls;
    summary.usage.input_tokens += result.usage.inputTokens + queryTokens.inputTokens;
    summary.usage.output_tokens += result.usage.outputTokens + queryTokens.outputTokens;
    summary.usage.cost_usd += result.usage.costUsd + queryTokens.costUsd;
    summary.usage.scored_candidates += result.usage.scoredCandidates;
    if (result.status === 'dropped') return { dropped: result.reason };
    const trace: TraceData = {
      ...baseTrace(p),
      query: query,
      query_source: config.query_source,
      trajectory: result.trajectory,
      segments: result.segments,
      initial_score: result.initialScore,
      final_score: result.finalScore,
      history: result.history,
      stop: result.stop,
      leak: result.leak,
      models: { generator: generator.uri, scorer: scorer.uri },
      params: { max_steps: config.max_steps, expansions: config.expansions, threshold: config.threshold, condition_first_segment: config.condition_first_segment },
      usage: {
        generator_calls: result.usage.generatorCalls + queryTokens.calls,
        input_tokens: result.usage.inputTokens + queryTokens.inputTokens,
        output_tokens: result.usage.outputTokens + queryTokens.outputTokens,
        cost_usd: result.usage.costUsd + queryTokens.costUsd,
        scored_candidates: result.usage.scoredCandidates,
      },
      mode: 'reer',
    };
    return { trace };
  };

  // Without an LM each trace takes microseconds: append them in chunks rather than one lock each.
  const extractAll = async () => {
    for (let from = 0; from < todo.length; from += HEURISTIC_CHUNK) {
      if (options.signal?.aborted) {
        summary.interrupted = true;
        return;
      }
      const chunk = todo.slice(from, from + HEURISTIC_CHUNK);
      const traces = chunk.map((p) => heuristicTrace(p));
      await store.append(
        'traces',
        traces.map((data) => ({ type: 'trace' as const, source: MINE_SOURCE, data, metadata: { run_id: runId } })),
      );
      for (const [i, trace] of traces.entries()) {
        existing.set(trace.post_key, trace);
        summary.mined++;
        report(chunk[i] as ScoredPost, 'mined');
      }
    }
  };

  // A worker pool: each finished trace is appended at once, so an interrupt loses only those in flight.
  const queue = [...todo];
  let fatal: unknown;
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      if (options.signal?.aborted || fatal !== undefined) {
        summary.interrupted = summary.interrupted || Boolean(options.signal?.aborted);
        return;
      }
      const key = postKey(p.post);
      try {
        const outcome = await mineOne(p);
        if ('dropped' in outcome) {
          summary.dropped.push({ post_key: key, reason: outcome.dropped });
          logger?.info({ post: key, reason: outcome.dropped }, 'post dropped');
          report(p, 'dropped');
          continue;
        }
        const { trace } = outcome;
        await store.append('traces', [{ type: 'trace', source: MINE_SOURCE, data: trace, metadata: { run_id: runId } }]);
        existing.set(key, trace);
        summary.mined++;
        if (trace.leak.flagged) summary.leaked++;
        report(p, 'mined');
      } catch (error: unknown) {
        if (options.signal?.aborted) {
          summary.interrupted = true;
          return;
        }
        if (isFatal(error)) {
          fatal ??= error;
          return;
        }
        summary.failed.push({ post_key: key, error: errorMessage(error) });
        logger?.warn({ post: key, err: errorMessage(error) }, 'post failed');
        report(p, 'failed');
      }
    }
  };
  if (noLm) await extractAll();
  else await Promise.all(Array.from({ length: Math.min(Math.max(1, config.concurrency), Math.max(1, todo.length)) }, worker));
  if (fatal !== undefined) throw fatal;
  if (scorer) summary.usage.scoring_calls = scorer.stats.calls;
  if (summary.interrupted) return summary;

  summary.strategies = await storeStrategies(store, { posts, traces: existing, config, runId, minedAt: now().toISOString(), platform: options.platform, author: options.author });
  return summary;
}

/** Mines strategies from the posts and the latest traces and appends them (`type: strategy`). */
async function storeStrategies(
  store: MiningStore,
  input: { posts: ScoredPost[]; traces: Map<string, TraceData>; config: ReerConfig; runId: string; minedAt: string; platform?: string | undefined; author?: string | undefined },
): Promise<StrategyData[]> {
  const inScope = (t: TraceData) => (!input.platform || t.platform === input.platform) && (!input.author || t.author === input.author);
  const exemplars = new Set<string>([...input.traces.values()].filter(inScope).map((t) => t.post_key));
  const s = input.config.strategies;
  const strategies = mineStrategies(
    { posts: input.posts, exemplars, traces: input.traces, runId: input.runId, minedAt: input.minedAt },
    { minClusterSize: s.min_cluster_size, minTimeSamples: s.min_time_samples, bootstrapSamples: s.bootstrap_samples, confidence: s.confidence, seed: s.seed },
  );
  if (strategies.length > 0) {
    await store.append(
      'strategies',
      strategies.map((data) => ({ type: 'strategy' as const, source: STRATEGIES_SOURCE, data, metadata: { run_id: input.runId } })),
    );
  }
  return strategies;
}

export interface StrategiesOptions {
  config: ReerConfig;
  engagement?: EngagementRanker | undefined;
  platform?: string | undefined;
  author?: string | undefined;
  now?: () => Date;
}

/** Re-mines strategies from the stored posts and traces (what `mine` does at its end). */
export async function refreshStrategies(store: MiningStore, options: StrategiesOptions): Promise<{ runId: string; strategies: StrategyData[]; traces: number }> {
  const posts = await loadScoredPosts(store, options.engagement, options);
  const traces = await loadTraces(store);
  if (traces.size === 0) {
    throw new ReerError('E_INSUFFICIENT_DATA', 'no traces in the store', { hint: 'Run social-reer mine first (or social-reer mine --no-lm for features and timing only).' });
  }
  const runId = randomUUID();
  const strategies = await storeStrategies(store, { posts, traces, config: options.config, runId, minedAt: (options.now ?? (() => new Date()))().toISOString(), platform: options.platform, author: options.author });
  return { runId, strategies, traces: traces.size };
}

/**
 * A trace by record id, by post key (`x:123`), or by bare post id (the latest trace of that post
 * on any platform; several platforms sharing the id is an error naming them).
 */
export async function findTrace(store: Pick<TraceStore, 'get' | 'latestByKey' | 'latest'>, ref: string): Promise<FoundTrace | undefined> {
  const byId = await store.get('traces', ref);
  if (byId && isTraceRecord(byId)) return byId;
  const byKey = await store.latestByKey('traces', `trace:${ref}`);
  if (byKey && isTraceRecord(byKey)) return byKey;
  const matches: FoundTrace[] = [];
  for await (const record of store.latest('traces', { where: { post_id: ref } })) if (isTraceRecord(record)) matches.push(record);
  if (matches.length > 1) {
    throw new ReerError('E_USAGE', `post id ${ref} has traces on several platforms: ${matches.map((m) => m.data.post_key).join(', ')}`, {
      hint: 'Give the post key (platform:id) instead.',
    });
  }
  return matches[0];
}
