import { Command, Option } from 'commander';
import { PLATFORMS, ReerError, configSection, type Platform } from '@reer/core';
import { ExitCode, EXIT_CHECK_FAILED, createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';

interface FitCommandOptions {
  author?: string;
  platform?: Platform;
}

export function fitCommand(): Command {
  const command = withJson(
    new Command('fit')
      // Usage errors and --help must reach runMain (exit 2 / 0) rather than exit here.
      .exitOverride()
      .description("Fit the engagement model on the author's original posts in the data dir and save it")
      .option('--author <name>', 'only this author’s posts (default: every author in the store)')
      .addOption(new Option('--platform <platform>', 'platform to fit for (default: the one with the most posts)').choices(PLATFORMS)),
  );
  withExamples(command, ['social-eval fit --data-dir data', 'social-eval fit --author rOpenSci --json']);
  return command.action(async (options: FitCommandOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const { ScorerConfigSchema, loadOrFitEngagementModel } = await import('@reer/scorer');
    const config = configSection(ctx.config, 'scorer', ScorerConfigSchema);
    const result = await loadOrFitEngagementModel(ctx.dataDir, { platform: options.platform, author: options.author, config, refit: true });
    if (!result.model) {
      if (ctx.json) {
        printJson({ status: 'insufficient', reason: result.reason, needed: config.model.min_posts });
        throw new ExitCode(EXIT_CHECK_FAILED);
      }
      throw new ReerError('E_INSUFFICIENT_DATA', `too little history to fit a model: ${result.reason}`, {
        hint: 'Ingest more of your posts with `social-collect ingest`; until then scores use the heuristic layer alone.',
      });
    }
    const { model } = result;
    if (ctx.json) {
      printJson({ status: 'fitted', path: result.path, platform: model.platform, author: model.author, fitted_at: model.fitted_at, fit: model.fit, cv: model.cv });
      return;
    }
    printLine(`Fitted the ${model.platform} engagement model on ${model.fit.posts} original posts (${model.fit.first_created_at.slice(0, 10)} – ${model.fit.last_created_at.slice(0, 10)}).`);
    printLine(`Saved to ${result.path}.`);
    printLine();
    printLine(
      formatTable(
        ['cross-validated quality', 'value'],
        [
          ['Spearman, model alone', model.cv.spearman.toFixed(3)],
          ['pairwise accuracy, model alone', model.cv.pairwise_accuracy === null ? '-' : model.cv.pairwise_accuracy.toFixed(3)],
          ['Spearman, heuristic layer alone', model.cv.heuristic_spearman.toFixed(3)],
          ['Spearman, blended score', model.cv.blend_spearman.toFixed(3)],
          ['blend weight of the model', model.cv.blend_weight.toFixed(2)],
          ['ridge penalty chosen', String(model.cv.lambda)],
          ['words and word pairs', String(model.fit.vocabulary_size)],
        ],
      ),
    );
  });
}
