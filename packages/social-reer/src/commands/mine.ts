import { Command, InvalidArgumentError } from 'commander';
import { ExitCode, createContext, createProgress, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { ReerError, configSection } from '@reer/core';

interface MineFlags {
  topK?: number;
  topQuantile?: number;
  /** A URI, or false for `--no-lm`. */
  lm?: string | false;
  scorerLm?: string;
  maxSteps?: number;
  expansions?: number;
  threshold?: number;
  concurrency?: number;
  platform?: string;
  author?: string;
  force?: boolean;
  json?: boolean;
}

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function decimal(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}]`);
    return n;
  };
}

export function mineCommand(): Command {
  // addCommand() does not pass the root's exitOverride on: without it a usage error would exit 1 from inside commander.
  const command = new Command('mine')
    .exitOverride()
    .description(
      "Mine REER traces from the author's best posts (the plan that makes each post most predictable), then mine strategies from them. Finished traces are stored as they complete: an interrupted run resumes where it stopped.",
    )
    .option('--top-k <n>', 'exemplars per author and platform (default: reer.top_k, 50)', integer(1))
    .option('--top-quantile <q>', 'take the top fraction of posts instead of --top-k, e.g. 0.1', decimal(0.000001, 1))
    .option('--lm <uri>', 'generator LM, e.g. mlx::<model> or dspy::openai/gpt-4o-mini (default: reer.lm)')
    .option('--no-lm', 'no LM at all: strategies from post features and timing only')
    .option('--scorer-lm <uri>', 'scoring LM; needs token log-probabilities (default: reer.scorer_lm, else --lm)')
    .option('--max-steps <n>', 'segments visited in the sweep (default 10)', integer(0))
    .option('--expansions <n>', 'rewrites per segment (default 2)', integer(1))
    .option('--threshold <x>', 'stop once the score is below this (default 0.25)', decimal(0, 2))
    .option('--concurrency <n>', 'posts searched at once (default: reer.concurrency, 4)', integer(1))
    .option('--platform <name>', 'only this platform')
    .option('--author <handle>', 'only this author')
    .option('--force', 're-mine posts that already have a trace');
  withJson(command);
  withExamples(command, [
    'social-reer mine --lm mlx::mlx-community/Qwen2.5-0.5B-Instruct-4bit --top-k 20',
    'social-reer mine --lm dspy::openai/gpt-4o-mini --scorer-lm dspy::together_ai/llama-3.3-70b-instruct',
    'social-reer mine --no-lm --top-quantile 0.1 --json',
  ]);
  return command.action(async (flags: MineFlags, cmd: Command) => {
    const ctx = createContext(cmd);
    const { ReerConfigSchema, mine, assertCanScore } = await import('@reer/synthesizer');
    const { TraceStore } = await import('@reer/trace-store');
    const base = configSection(ctx.config, 'reer', ReerConfigSchema);
    if (flags.topK !== undefined && flags.topQuantile !== undefined) {
      throw new ReerError('E_USAGE', '--top-k and --top-quantile exclude each other', { hint: 'Give one of them.' });
    }
    const config = {
      ...base,
      max_steps: flags.maxSteps ?? base.max_steps,
      expansions: flags.expansions ?? base.expansions,
      threshold: flags.threshold ?? base.threshold,
      concurrency: flags.concurrency ?? base.concurrency,
    };
    const selection =
      flags.topQuantile !== undefined
        ? { topQuantile: flags.topQuantile }
        : flags.topK !== undefined
          ? { topK: flags.topK }
          : base.top_quantile !== undefined
            ? { topQuantile: base.top_quantile }
            : { topK: base.top_k };
    const noLm = flags.lm === false;

    let close = async () => {};
    let generator: import('@reer/lm-registry').LanguageModel | undefined;
    let scorer: import('@reer/lm-registry').LanguageModel | undefined;
    if (!noLm) {
      const lmUri = (typeof flags.lm === 'string' ? flags.lm : undefined) ?? base.lm;
      if (!lmUri) {
        throw new ReerError('E_USAGE', 'no generator LM given', { hint: 'Pass --lm <uri> (and --scorer-lm <uri> if it cannot score), set reer.lm in your config, or use --no-lm.' });
      }
      const scorerUri = flags.scorerLm ?? base.scorer_lm ?? lmUri;
      const { createRegistry, parseLmUri } = await import('@reer/lm-registry');
      const registry = createRegistry({ config: ctx.config, env: ctx.env, logger: ctx.logger });
      close = async () => registry.close();
      // Refuse a scorer that cannot score before anything is loaded or paid for (declared
      // capabilities), then again once load() has started a local backend and knows exactly.
      const scorerProvider = parseLmUri(scorerUri, registry.settings).provider;
      const declared = registry.providers().find((p) => p.name === scorerProvider || p.aliases.includes(scorerProvider));
      if (declared) assertCanScore({ uri: scorerUri, capabilities: declared.capabilities });
      const loadedGenerator = await registry.load(lmUri);
      const loadedScorer = scorerUri === lmUri ? loadedGenerator : await registry.load(scorerUri);
      assertCanScore(loadedScorer);
      generator = loadedGenerator;
      scorer = loadedScorer;
    }

    const store = await TraceStore.open(ctx.dataDir, { logger: ctx.logger });
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write('\ninterrupted: finishing stops now; finished traces are kept (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    const progress = createProgress(ctx.interactive, noLm ? 'extract' : 'mine');
    let started = false;
    try {
      if (noLm) ctx.logger.info('no LM: strategies come from post features and timing only (no REER trajectories)');
      const summary = await mine(store, {
        config,
        selection,
        generator,
        scorer,
        noLm,
        force: Boolean(flags.force),
        platform: flags.platform,
        author: flags.author,
        signal: controller.signal,
        logger: ctx.logger,
        onProgress: (p) => {
          if (!started) {
            progress.start(p.total);
            started = true;
          }
          progress.update(p.done);
        },
      });
      progress.stop();
      if (flags.json) printJson(summary);
      else {
        printLine(
          summary.mode === 'heuristic'
            ? 'Mode: heuristic (--no-lm) — strategies from post features and timing only, no REER trajectories.'
            : `Mode: REER — generator ${summary.models.generator}, scorer ${summary.models.scorer}.`,
        );
        printLine(
          `Posts ${summary.posts}, exemplars ${summary.exemplars}: mined ${summary.mined}, already mined ${summary.skipped}${flags.force ? '' : ' (use --force to redo)'}, dropped ${summary.dropped.length}, failed ${summary.failed.length}, leak-flagged ${summary.leaked}.`,
        );
        if (summary.mode === 'reer') {
          printLine(`Usage: ${summary.usage.generator_calls} generations (${summary.usage.input_tokens} in / ${summary.usage.output_tokens} out tokens), ${summary.usage.scored_candidates} trajectories scored in ${summary.usage.scoring_calls} calls.`);
        }
        for (const f of summary.failed) printLine(`  failed ${f.post_key}: ${f.error}`);
        if (summary.interrupted) printLine('Interrupted: rerun the same command to resume; strategies were not updated.');
        else if (summary.strategies.length === 0) printLine('No strategies: too few exemplars share a structure (see reer.strategies.min_cluster_size).');
        else {
          printLine();
          printLine(
            formatTable(
              ['strategy', 'lift', '95% CI', 'n', 'mode'],
              summary.strategies.map((s) => [s.name, s.lift.estimate.toFixed(2), `${s.lift.low.toFixed(2)}–${s.lift.high.toFixed(2)}`, s.lift.n, s.mode ?? '']),
            ),
          );
        }
      }
      if (summary.interrupted || summary.failed.length > 0) throw new ExitCode(1);
    } finally {
      progress.stop();
      process.off('SIGINT', onSigint);
      await store.close();
      await close();
    }
  });
}
