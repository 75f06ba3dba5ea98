import { Command, InvalidArgumentError, Option } from 'commander';
import { PLATFORMS, configSection, type Platform } from '@reer/core';
import { createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';

interface BacktestCommandOptions {
  split: number;
  author?: string;
  platform?: Platform;
}

function parseSplit(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError('expected a number between 0 and 1, e.g. 0.7');
  return n;
}

export function backtestCommand(): Command {
  const command = withJson(
    new Command('backtest')
      // Usage errors and --help must reach runMain (exit 2 / 0) rather than exit here.
      .exitOverride()
      .description('Fit on the earlier posts, score the later ones, and compare with their real engagement and simple baselines')
      .option('--split <share>', 'share of original posts, oldest first, to fit on', parseSplit, 0.7)
      .option('--author <name>', 'only this author’s posts')
      .addOption(new Option('--platform <platform>', 'platform to evaluate (default: the one with the most posts)').choices(PLATFORMS)),
  );
  withExamples(command, ['social-eval backtest --data-dir data', 'social-eval backtest --split 0.8 --json > backtest.json']);
  return command.action(async (options: BacktestCommandOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const { ScorerConfigSchema, backtest, readStorePosts } = await import('@reer/scorer');
    const config = configSection(ctx.config, 'scorer', ScorerConfigSchema);
    const posts = await readStorePosts(ctx.dataDir, options.platform ? { platform: options.platform } : {});
    const result = backtest(posts, { split: options.split, platform: options.platform, author: options.author, config });
    const metrics: Record<string, number | null> = {
      scorer_spearman: result.scorer.spearman,
      scorer_pairwise_accuracy: result.scorer.pairwise_accuracy,
      length_spearman: result.baselines.length.spearman,
      has_link_spearman: result.baselines.has_link.spearman,
      heuristic_spearman: result.baselines.heuristic.spearman,
    };
    if (ctx.json) {
      // The shape of a saved evaluation, so `social-eval compare` can read it back.
      printJson({ kind: 'backtest', subject: `${ctx.dataDir}:${result.platform ?? 'none'}`, metrics, result });
      return;
    }
    printLine(
      `Fit on ${result.train_posts} original ${result.platform ?? ''} posts (until ${result.train_until?.slice(0, 10) ?? '-'}), scored the next ${result.test_posts} (${result.test_nonzero} with engagement).`,
    );
    printLine(
      result.model.status === 'fitted'
        ? `Model: cross-validated Spearman ${result.model.cv_spearman?.toFixed(3)}, blend weight ${result.model.blend_weight?.toFixed(2)}.`
        : `Model: none (${result.model.reason}); the scorer is the heuristic layer alone.`,
    );
    printLine();
    const row = (name: string, q: { spearman: number; pairwise_accuracy: number | null }) => [name, q.spearman.toFixed(3), q.pairwise_accuracy === null ? '-' : q.pairwise_accuracy.toFixed(3)];
    printLine(
      formatTable(
        ['ranking', 'Spearman', 'pairwise accuracy'],
        [row('scorer', result.scorer), row('length only', result.baselines.length), row('has link only', result.baselines.has_link), row('heuristic layer alone', result.baselines.heuristic)],
      ),
    );
    printLine();
    printLine(result.beats_baselines ? 'The scorer beats every baseline.' : 'The scorer does NOT beat every baseline on this history.');
  });
}
