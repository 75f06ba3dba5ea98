import { Command, Option } from 'commander';
import { PLATFORMS, ReerError, type Platform } from '@reer/core';
import { createContext, createProgress, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import type { GeneratorLm, RunGenerationResult } from '@reer/pipeline';
import { resolveGeneratorLms } from '../lm-choice.ts';

interface GenerateOptions {
  topic: string;
  platform: Platform;
  lm?: string[];
  candidates: string;
  strategy?: string;
  thread?: boolean;
  numbering?: boolean;
  format: 'md' | 'json';
  json?: boolean;
  seed?: string;
  pipeline?: string;
  author?: string;
  limit?: string;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ReerError('E_USAGE', `${flag} must be a whole number of at least 1 (got "${value}")`);
  return n;
}

export function generateCommand(): Command {
  const command = withJson(
    new Command('generate')
      .description("Write candidate posts about a topic in the author's voice, then score and rank them")
      .requiredOption('--topic <topic>', 'what the post should be about')
      .addOption(new Option('--platform <platform>', 'target platform').choices(PLATFORMS).default('x'))
      .option('--lm <uri...>', 'LMs to spread candidates over (default: the configured primary, else a cached local model, else offline)')
      .option('--candidates <n>', 'how many candidates to write', '8')
      .option('--strategy <id>', 'use this strategy for every candidate (see `social-reer strategies`)')
      .option('--thread', 'split long content into a thread')
      .option('--numbering', 'number thread parts like 1/3')
      .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
      .option('--seed <n>', 'sampling seed (LMs that support seeds repeat exactly)')
      .option('--pipeline <file>', 'a tuned program other than data/models/tuned_pipeline.json')
      .option('--author <name>', "whose history and strategies to use (default: the store's main author)")
      .option('--limit <n>', 'length limit when yours differs from the platform default (X long posts, a Mastodon instance)'),
  );
  withExamples(command, [
    'social-run generate --topic "our package release, link to the blog" --platform x',
    'social-run generate --topic "what we learned running community calls" --thread --numbering --lm dspy::openai/gpt-4o-mini',
    'social-run generate --topic "new docs site" --candidates 4 --json',
  ]);
  return command.action(async (options: GenerateOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const candidates = positiveInt(options.candidates, '--candidates');
    const seed = options.seed === undefined ? undefined : Number(options.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new ReerError('E_USAGE', `--seed must be a whole number (got "${options.seed}")`);
    const limit = options.limit === undefined ? undefined : positiveInt(options.limit, '--limit');
    const { runGeneration } = await import('@reer/pipeline');
    const choice = await resolveGeneratorLms(ctx, options.lm);
    process.stderr.write(`${choice.message}\n`);

    const progress = createProgress(ctx.interactive, 'candidates');
    progress.start(candidates);
    let result: RunGenerationResult;
    try {
      result = await runGeneration({
        dataDir: ctx.dataDir,
        topic: options.topic,
        platform: options.platform,
        lms: choice.lms,
        candidates,
        thread: Boolean(options.thread),
        numbering: Boolean(options.numbering),
        scorerConfig: ctx.config.raw.scorer,
        logger: ctx.logger,
        onProgress: (done) => progress.update(done),
        ...(options.strategy ? { strategyOverride: options.strategy } : {}),
        ...(seed === undefined ? {} : { seed }),
        ...(options.pipeline ? { pipelinePath: options.pipeline } : {}),
        ...(options.author ? { author: options.author } : {}),
        ...(limit === undefined ? {} : { limit }),
      });
    } finally {
      progress.stop();
      await choice.close();
    }
    if (ctx.json || options.format === 'json') printJson(toJson(result, choice.lms));
    else printLine(toMarkdown(result));
  });
}

function toJson(result: RunGenerationResult, lms: readonly GeneratorLm[]) {
  return {
    topic: result.topic,
    platform: result.platform,
    run_id: result.runId,
    candidates: result.candidates.map((c) => ({
      rank: c.rank,
      text: c.text,
      ...(c.parts ? { parts: c.parts } : {}),
      score: c.score,
      valid: c.valid,
      violations: c.violations,
      strategy: c.strategy,
      strategy_name: c.strategyName,
      lm: c.lm,
      explanation: c.explanation,
    })),
    dropped: result.dropped.map((c) => ({ text: c.text, strategy: c.strategy, lm: c.lm, reason: c.dropped })),
    usage: result.usage,
    offline_fallback: result.offlineFallback,
    context: {
      lms: lms.map((l) => l.uri),
      author: result.author,
      program: result.program.source,
      strategies: result.strategySource,
      engagement_model: result.engagementModel.status,
      examples: result.examples,
    },
  };
}

function toMarkdown(result: RunGenerationResult): string {
  const lines = [`# Posts about "${result.topic}" for ${result.platform}`, ''];
  lines.push(
    `Program: ${result.program.source} · strategies: ${result.strategySource} · ranking: ${result.engagementModel.status === 'insufficient' ? 'heuristic layer only' : 'heuristics + learned engagement model'}`,
    '',
  );
  if (result.offlineFallback) {
    lines.push(
      `Every model candidate was dropped (reasons below), so these come from the offline composer (${'offline::template'}), not a model. A stronger LM (an API key, or a larger local model) does better.`,
      '',
    );
  }
  if (result.candidates.length === 0) lines.push('No candidate survived; see the dropped list below.', '');
  for (const c of result.candidates) {
    lines.push(`## ${c.rank}. score ${(c.score ?? 0).toFixed(2)}${c.valid ? '' : ' (invalid)'} · ${c.strategyName} · ${c.lm}`, '');
    if (c.parts) lines.push(...c.parts.map((part, i) => `${i + 1}. ${part.replace(/\n/g, '\n   ')}`));
    else lines.push(c.text);
    lines.push('', `_${c.explanation}_`);
    if (c.violations.length > 0) lines.push('', `Warnings: ${c.violations.join('; ')}`);
    lines.push('');
  }
  if (result.dropped.length > 0) {
    lines.push(`Dropped ${result.dropped.length}:`);
    for (const c of result.dropped) lines.push(`- ${c.strategyName} via ${c.lm}: ${c.dropped}`);
    lines.push('');
  }
  const u = result.usage;
  lines.push(`Usage: ${u.calls} LM calls, ${u.input_tokens} tokens in, ${u.output_tokens} out, ~$${u.cost_usd.toFixed(4)}. Run ${result.runId}.`);
  return lines.join('\n');
}
