import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DATA_LAYOUT, type PostData, ReerError, type TraceData, configSection } from '@reer/core';
import { type CliContext, createContext, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import type { GepaIterationEvent, GepaResult, TuningExample } from '@reer/gepa';
import type { LanguageModel } from '@reer/lm-registry';
import type { GenerationStrategy } from '@reer/pipeline';

interface TuneOptions {
  lm?: string;
  reflectionLm?: string;
  budget?: string;
  minibatch?: string;
  merge?: boolean;
  seed?: string;
  resume?: boolean;
  runId?: string;
  train?: string;
  val?: string;
  json?: boolean;
}

function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ReerError('E_USAGE', `${flag} must be a whole number of at least ${min} (got "${value}")`);
  return n;
}

export function tuneCommand(): Command {
  const command = withJson(
    new Command('tune')
      .description("Tune the generation program's instruction with GEPA on the author's own history; writes data/models/tuned_pipeline.json")
      .option('--lm <uri>', 'LM that runs the program (default: the configured primary)')
      .option('--reflection-lm <uri>', 'LM that rewrites the instruction (default: gepa.reflection_lm, else --lm)')
      .option('--budget <n>', 'metric calls allowed, the seed validation included (default: gepa.budget, 300)')
      .option('--minibatch <n>', 'examples per reflection minibatch (default: 3)')
      .option('--merge', 'also try merging lineages after accepted mutations')
      .option('--seed <n>', 'the run seed: the same seed repeats the run (default: 0)')
      .option('--resume', 'continue the latest (or --run-id) interrupted run from its checkpoint')
      .option('--run-id <id>', 'name of the run under data/models/checkpoints/ (default: tune-<time>)')
      .option('--train <file>', 'training examples as JSONL ({"brief","post","platform","created_at"?}) instead of the store')
      .option('--val <file>', 'validation examples as JSONL (with --train)'),
  );
  withExamples(command, [
    'social-run tune --budget 300',
    'social-run tune --lm dspy::openai/gpt-4o-mini --reflection-lm dspy::openai/gpt-4o --merge',
    'social-run tune --resume',
    'social-run tune --train train.jsonl --val val.jsonl --json',
  ]);
  return command.action(async (options: TuneOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const gepa = await import('@reer/gepa');
    const config = configSection(ctx.config, 'gepa', gepa.GepaConfigSchema);
    const budget = wholeNumber(options.budget, '--budget', 1) ?? config.budget;
    const minibatchSize = wholeNumber(options.minibatch, '--minibatch', 1) ?? config.minibatch_size;
    const seed = wholeNumber(options.seed, '--seed', 0) ?? config.seed;
    const merge = options.merge ?? config.merge;
    if (Boolean(options.train) !== Boolean(options.val)) {
      throw new ReerError('E_USAGE', '--train and --val go together', { hint: 'Pass both files, or neither to use the store.' });
    }

    const { createRegistry } = await import('@reer/lm-registry');
    const registry = createRegistry({ config: ctx.config, env: ctx.env, logger: ctx.logger });
    try {
      const lm = options.lm ? registry.resolve(options.lm) : registry.defaultLm();
      if (!lm) {
        throw new ReerError('E_PROVIDER_AUTH', 'no LM to run the program: no --lm and no configured primary with a key', {
          hint: 'Pass --lm <uri> (e.g. dspy::openai/gpt-4o-mini) or set the primary provider\'s API key.',
        });
      }
      const reflectionUri = options.reflectionLm ?? config.reflection_lm;
      const reflectionLm = reflectionUri ? registry.resolve(reflectionUri) : lm;

      const history = await loadHistory(ctx);
      const sets = options.train && options.val
        ? { train: gepa.readTuningExamples(options.train), val: gepa.readTuningExamples(options.val), fromTraces: 0, derived: 0 }
        : gepa.buildTuningSets({
            posts: history.posts,
            traces: history.traces,
            engagementOf: history.engagementOf,
            valFraction: config.val_fraction,
            maxTrain: config.max_train,
            maxVal: config.max_val,
          });
      ctx.logger.info({ train: sets.train.length, val: sets.val.length, fromTraces: sets.fromTraces, derived: sets.derived }, 'tuning sets ready');

      const adapter = await generationAdapter(ctx, history, lm, reflectionLm, config, seed);
      const { DEFAULT_INSTRUCTION, loadTunedPipeline } = await import('@reer/pipeline');
      const tunedPath = join(ctx.dataDir, DATA_LAYOUT.tunedPipeline);
      const checkpointDir = join(ctx.dataDir, DATA_LAYOUT.checkpoints);
      const runId = options.runId ?? (options.resume ? latestRunId(checkpointDir) : `tune-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`);

      const display = liveDisplay(ctx);
      let result: GepaResult;
      try {
        result = await gepa.runGepa({
          // Always from the seed program: scores compare with the untuned program, and a resumed run starts the same.
          seedCandidate: { instruction: DEFAULT_INSTRUCTION },
          trainset: sets.train,
          valset: sets.val,
          adapter,
          reflectionLm,
          budget,
          minibatchSize,
          merge,
          maxMerges: config.max_merges,
          seed,
          reflection: { temperature: config.reflection_temperature, maxTokens: config.reflection_max_tokens },
          checkpoint: { dir: checkpointDir, runId },
          resume: Boolean(options.resume),
          onIteration: display.update,
        });
      } finally {
        display.stop();
      }

      const previous = loadTunedPipeline(tunedPath);
      const written = gepa.writeTunedPipeline(tunedPath, {
        result,
        demos: [],
        trainSize: sets.train.length,
        valSize: sets.val.length,
        programLm: lm.uri,
        reflectionLm: reflectionLm.uri,
      });
      const summary = {
        run_id: runId,
        file: tunedPath,
        seed_val_score: result.seedValScore,
        tuned_val_score: result.bestValScore,
        improved: result.bestIndex !== 0,
        budget: { max: budget, used: result.metricCalls },
        iterations: result.iterations,
        candidates: result.candidates.length,
        accepted: result.lineage.filter((e) => e.kind !== 'skipped' && e.accepted).length,
        sets: { train: sets.train.length, val: sets.val.length },
        instruction: written.components.instruction ?? DEFAULT_INSTRUCTION,
        replaced_previous: previous !== null,
      };
      if (ctx.json) printJson(summary);
      else printLine(formatSummary(summary));
    } finally {
      await registry.close();
    }
  });
}

interface History {
  posts: PostData[];
  traces: TraceData[];
  strategies: GenerationStrategy[];
  engagementOf(post: PostData): number | null;
}

async function loadHistory(ctx: CliContext): Promise<History> {
  const { TraceStore } = await import('@reer/trace-store');
  const { engagementOf } = await import('@reer/scorer');
  const { BUILTIN_STRATEGIES, strategyFromRecord } = await import('@reer/pipeline');
  const store = await TraceStore.open(ctx.dataDir, { logger: ctx.logger });
  try {
    const posts: PostData[] = [];
    for await (const r of store.latest('posts')) if (r.type === 'post') posts.push(r.data);
    const traces: TraceData[] = [];
    for await (const r of store.latest('traces')) if (r.type === 'trace' && !r.data.leak.flagged) traces.push(r.data);
    const mined: GenerationStrategy[] = [];
    for await (const r of store.latest('strategies')) if (r.type === 'strategy') mined.push(strategyFromRecord(r.data));
    return { posts, traces, strategies: mined.length > 0 ? mined : [...BUILTIN_STRATEGIES], engagementOf };
  } finally {
    await store.close();
  }
}

/**
 * The generation program as GEPA sees it: the candidate's instruction, the example's brief, the
 * platform rules, the best-fitting strategy and the author's best related posts from before the
 * example (never the example's own post), scored by the scorer against the post that performed.
 */
async function generationAdapter(
  ctx: CliContext,
  history: History,
  lm: LanguageModel,
  reflectionLm: LanguageModel,
  config: { concurrency: number; voice_weight: number },
  seed: number,
) {
  const { GenerationProgram, buildProgramInputs, describePlatformRules, rankStrategies, selectExamples } = await import('@reer/pipeline');
  const { CandidateScorer, loadOrFitEngagementModel, parseScorerConfig } = await import('@reer/scorer');
  const { createPostMetric, createProgramAdapter } = await import('@reer/gepa');
  const scorerConfig = parseScorerConfig(ctx.config.raw.scorer ?? {});
  const model = await loadOrFitEngagementModel(ctx.dataDir, { config: scorerConfig });
  if (model.status === 'insufficient') ctx.logger.warn({ reason: model.reason }, 'no learned engagement model: the metric uses the heuristic layer alone');
  const scorer = new CandidateScorer(scorerConfig, model.model);
  const ai = lm.axService();

  const examplesFor = (example: TuningExample) =>
    selectExamples(
      history.posts.filter((p) => p.platform === example.platform && `${p.platform}:${p.post_id}` !== example.post_key && (!example.created_at || p.created_at < example.created_at)),
      example.brief,
      { count: 3, engagementOf: history.engagementOf },
    ).map((e) => e.post.text.trim());

  const metric = createPostMetric<TuningExample>({
    scorer,
    platformOf: (e) => e.platform,
    referenceOf: (e) => e.post,
    ...(config.voice_weight > 0 ? { judge: { lm: reflectionLm, weight: config.voice_weight, samplesOf: examplesFor } } : {}),
  });

  return createProgramAdapter<TuningExample, string>({
    concurrency: config.concurrency,
    run: async (candidate, example) => {
      const program = new GenerationProgram({ instruction: candidate.instruction ?? '' });
      const strategy = rankStrategies(history.strategies, example.brief)[0]?.strategy;
      const samples = examplesFor(example);
      const out = await program.run(
        ai,
        buildProgramInputs({ topic: example.brief, rulesText: describePlatformRules(example.platform), strategy, examples: samples }),
        // A fixed temperature and a per-example seed: backends that honour seeds score a candidate repeatably.
        { temperature: 0.7, maxTokens: 400, seed: seed + hashOf(example.brief) },
      );
      return out.postText;
    },
    metric,
    describeInputs: (e) => `Brief: ${e.brief}\nPlatform: ${e.platform}`,
  });
}

function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h % 1_000_000;
}

function latestRunId(dir: string): string {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    files = [];
  }
  const latest = files.map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.t - a.t)[0];
  if (!latest) {
    throw new ReerError('E_INPUT_NOT_FOUND', `no tuning run to resume in ${dir}`, { hint: 'Run `social-run tune` without --resume first.' });
  }
  return latest.f.replace(/\.jsonl$/, '');
}

/** One status line on stderr, rewritten after every iteration; nothing when stderr is not a terminal. */
function liveDisplay(ctx: CliContext): { update: (e: GepaIterationEvent) => void; stop: () => void } {
  let shown = false;
  return {
    update: (e) => {
      if (e.entry.kind !== 'skipped' && e.entry.accepted) ctx.logger.debug({ iteration: e.iteration, child: e.entry.child, best: e.bestValScore }, 'candidate accepted');
      if (!ctx.interactive) return;
      const line = `iteration ${e.iteration} · budget ${Math.min(e.metricCalls, e.budget)}/${e.budget} · best val ${e.bestValScore.toFixed(3)} (candidate ${e.bestIndex}) · front ${e.frontSize} · candidates ${e.candidates}`;
      process.stderr.write(`\r\u001b[2K${line}`);
      shown = true;
    },
    stop: () => {
      if (shown) process.stderr.write('\n');
    },
  };
}

function formatSummary(s: {
  run_id: string;
  file: string;
  seed_val_score: number;
  tuned_val_score: number;
  improved: boolean;
  budget: { max: number; used: number };
  iterations: number;
  candidates: number;
  accepted: number;
  sets: { train: number; val: number };
  instruction: string;
}): string {
  return [
    `# Tuning run ${s.run_id}`,
    '',
    `Validation score: seed ${s.seed_val_score.toFixed(3)} → tuned ${s.tuned_val_score.toFixed(3)}${s.improved ? '' : ' (no candidate beat the seed; the seed instruction is kept)'}`,
    `Budget: ${s.budget.used}/${s.budget.max} metric calls over ${s.iterations} iterations; ${s.accepted} proposals accepted, ${s.candidates} candidates.`,
    `Examples: ${s.sets.train} train, ${s.sets.val} validation (validation is the later posts).`,
    '',
    '## Instruction',
    '',
    s.instruction,
    '',
    `Written to ${s.file}; \`social-run generate\` uses it from now on.`,
  ].join('\n');
}
