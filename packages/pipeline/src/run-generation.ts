import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DATA_LAYOUT, type Logger, type Platform, type PostData, type StrategyData, silentLogger } from '@reer/core';
import { PLATFORM_LIMITS, checkPlatformRules, platformLength } from '@reer/heuristics';
import { CandidateScorer, engagementOf, loadOrFitEngagementModel, parseScorerConfig } from '@reer/scorer';
import { TraceStore, type StoredRecord } from '@reer/trace-store';
import { BUILTIN_STRATEGIES, strategyFromRecord } from './builtin-strategies.ts';
import { generateCandidates, type GenerateCandidatesResult, type GeneratedCandidate, type GeneratorLm, type RuleVerdict } from './generate.ts';
import { GenerationProgram } from './program.ts';
import { loadTunedPipeline } from './tuned-pipeline.ts';

export interface RunGenerationOptions {
  dataDir: string;
  topic: string;
  platform: Platform;
  lms: readonly GeneratorLm[];
  candidates?: number;
  strategyOverride?: string;
  thread?: boolean;
  numbering?: boolean;
  seed?: number;
  /** A tuned program other than `data/models/tuned_pipeline.json`. */
  pipelinePath?: string;
  /** Restrict history and strategies to one author (default: the author with most posts). */
  author?: string;
  /** The `scorer` config section (validated by the scorer). */
  scorerConfig?: unknown;
  /** The platform's length limit when it differs from the default (X long posts, a Mastodon instance). */
  limit?: number;
  logger?: Logger;
  onProgress?: (done: number, total: number) => void;
}

export interface RunGenerationResult extends GenerateCandidatesResult {
  runId: string;
  author: string | null;
  program: { source: 'tuned' | 'seed'; path: string };
  strategySource: 'mined' | 'builtin';
  engagementModel: { status: 'loaded' | 'fitted' | 'insufficient'; reason?: string };
}

/** The platform's rules in words, as the program sees them. */
export function describePlatformRules(platform: Platform, limit?: number): string {
  const rule = PLATFORM_LIMITS[platform];
  const max = limit ?? rule.limit;
  const counting: Record<typeof rule.unit, string> = {
    weighted: 'weighted characters (links count as 23, emoji and CJK characters as 2)',
    graphemes: `characters as people see them${rule.maxBytes ? `, and at most ${rule.maxBytes} bytes` : ''}`,
    characters: 'characters',
  };
  return `Platform: ${platform}. At most ${max} ${counting[rule.unit]}.`;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/**
 * The strategies of the newest mining run for this platform and author. A strategy that a later
 * run no longer finds keeps its old record (the store is append-only), so older runs are ignored.
 */
export function latestMinedStrategies(records: readonly StoredRecord[], platform: Platform, author: string | null): StrategyData[] {
  const fitting = records
    .filter((r): r is StoredRecord<'strategy'> => r.type === 'strategy')
    .map((r) => ({ data: r.data, timestamp: r.timestamp }))
    .filter(({ data }) => (!data.platform || data.platform === platform) && (!author || !data.author || data.author === author));
  if (fitting.length === 0) return [];
  const minedAt = (x: (typeof fitting)[number]) => (typeof x.data.mined_at === 'string' ? x.data.mined_at : x.timestamp);
  const newest = fitting.reduce((a, b) => (minedAt(b) > minedAt(a) ? b : a));
  const runId = newest.data.run_id;
  return fitting.filter(({ data }) => runId === undefined || data.run_id === runId).map(({ data }) => data);
}

function dominantAuthor(posts: readonly PostData[]): string | null {
  const counts = new Map<string, number>();
  for (const p of posts) counts.set(p.author, (counts.get(p.author) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [author, n] of counts) if (n > bestCount || (n === bestCount && best !== null && author < best)) [best, bestCount] = [author, n];
  return best;
}

/**
 * The main job: loads the author's history, mined strategies and the tuned program from the
 * data dir, generates and ranks candidates, and appends every candidate to `runs/candidates.jsonl`.
 */
export async function runGeneration(options: RunGenerationOptions): Promise<RunGenerationResult> {
  const logger = options.logger ?? silentLogger;
  const runId = randomUUID();
  const store = await TraceStore.open(options.dataDir, { logger });
  try {
    const all: PostData[] = [];
    for await (const record of store.latest('posts', { where: { platform: options.platform } })) {
      if (record.type === 'post') all.push(record.data);
    }
    const author = options.author ?? dominantAuthor(all);
    const posts = author === null ? all : all.filter((p) => p.author === author);

    const mined = latestMinedStrategies(
      await collect(store.latest('strategies')),
      options.platform,
      author,
    ).map(strategyFromRecord);
    const strategies = mined.length > 0 ? mined : BUILTIN_STRATEGIES;
    logger.info({ posts: posts.length, author, strategies: strategies.length, mined: mined.length > 0 }, 'generation context loaded');

    const pipelinePath = options.pipelinePath ?? join(options.dataDir, DATA_LAYOUT.tunedPipeline);
    const tuned = loadTunedPipeline(pipelinePath);
    const program = new GenerationProgram(tuned ? { instruction: tuned.components.instruction } : {});

    const scorerConfig = parseScorerConfig(options.scorerConfig ?? {});
    const model = await loadOrFitEngagementModel(options.dataDir, {
      platform: options.platform,
      ...(author ? { author } : {}),
      config: scorerConfig,
    });
    if (model.status === 'insufficient') logger.warn({ reason: model.reason }, 'no learned engagement model: ranking by the heuristic layer alone');
    const rules = options.limit === undefined ? {} : { limit: options.limit };
    const scorer = new CandidateScorer(scorerConfig, model.model, rules);

    const checkRules = (text: string): RuleVerdict => {
      const check = checkPlatformRules(text, options.platform, rules);
      const hard = check.violations.filter((v) => v.hard);
      return {
        valid: check.valid,
        violations: check.violations.map((v) => v.reason),
        tooLong: hard.length > 0 && hard.every((v) => v.rule === 'too_long' || v.rule === 'too_many_bytes'),
        length: check.length,
        limit: check.limit,
      };
    };

    const result = await generateCandidates({
      topic: options.topic,
      platform: options.platform,
      lms: options.lms,
      strategies,
      posts,
      program,
      engagementOf,
      checkRules,
      measure: (text) => platformLength(text, options.platform),
      scoreCandidate: (text) => {
        const scored = scorer.score({ text, platform: options.platform });
        return { score: scored.score, valid: scored.valid, violations: scored.violations.map((v) => v.reason), explanation: scored.explanation };
      },
      rulesText: describePlatformRules(options.platform, options.limit),
      ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
      ...(options.strategyOverride === undefined ? {} : { strategyOverride: options.strategyOverride }),
      ...(options.thread === undefined ? {} : { thread: options.thread }),
      ...(options.numbering === undefined ? {} : { numbering: options.numbering }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });

    const toRecord = (c: GeneratedCandidate) => ({
      type: 'candidate' as const,
      source: 'social-run generate',
      data: {
        run_id: runId,
        topic: options.topic,
        platform: options.platform,
        text: c.text,
        ...(c.parts ? { parts: c.parts } : {}),
        strategy: c.strategy,
        lm: c.lm,
        score: c.score,
        valid: c.valid,
        violations: c.violations,
        rank: c.rank,
        prompt_inputs: { ...c.promptInputs, instruction: program.instruction, temperature: c.temperature },
        usage: c.usage,
        ...(c.dropped ? { dropped: c.dropped } : {}),
        repairs: c.repairs,
        explanation: c.explanation,
      },
      metadata: { author, program: tuned ? 'tuned' : 'seed', examples: result.examples },
    });
    await store.append('candidates', [...result.candidates, ...result.dropped].map(toRecord));

    return {
      ...result,
      runId,
      author,
      program: { source: tuned ? 'tuned' : 'seed', path: pipelinePath },
      strategySource: mined.length > 0 ? 'mined' : 'builtin',
      engagementModel: { status: model.status, ...(model.reason ? { reason: model.reason } : {}) },
    };
  } finally {
    await store.close();
  }
}
