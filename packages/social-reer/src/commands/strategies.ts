import { Command } from 'commander';
import { createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { configSection } from '@reer/core';

interface StrategiesFlags {
  platform?: string;
  author?: string;
  json?: boolean;
}

export function strategiesCommand(): Command {
  // addCommand() does not pass the root's exitOverride on: without it a usage error would exit 1 from inside commander.
  const command = new Command('strategies')
    .exitOverride()
    .description(
      "Mine strategies from the stored traces and the posts' features (what `mine` does at its end) and store them: clusters of the author's best posts with the same structure, each with a brief, when to use it, examples, its lift over the author's baseline with a confidence interval, and best posting times where enough posts support them.",
    )
    .option('--platform <name>', 'only this platform')
    .option('--author <handle>', 'only this author');
  withJson(command);
  withExamples(command, ['social-reer strategies', 'social-reer strategies --platform x --json']);
  return command.action(async (flags: StrategiesFlags, cmd: Command) => {
    const ctx = createContext(cmd);
    const { ReerConfigSchema, refreshStrategies } = await import('@reer/synthesizer');
    const { TraceStore } = await import('@reer/trace-store');
    const config = configSection(ctx.config, 'reer', ReerConfigSchema);
    const store = await TraceStore.open(ctx.dataDir, { logger: ctx.logger });
    try {
      const result = await refreshStrategies(store, { config, platform: flags.platform, author: flags.author });
      if (flags.json) {
        printJson(result);
        return;
      }
      if (result.strategies.length === 0) {
        printLine(`No strategies from ${result.traces} traces: too few exemplars share a structure (see reer.strategies.min_cluster_size).`);
        return;
      }
      printLine(
        formatTable(
          ['strategy', 'author', 'lift', '95% CI', 'n', 'mode'],
          result.strategies.map((s) => [s.name, `${s.platform ?? ''}:${s.author ?? ''}`, s.lift.estimate.toFixed(2), `${s.lift.low.toFixed(2)}–${s.lift.high.toFixed(2)}`, s.lift.n, s.mode ?? '']),
        ),
      );
      for (const s of result.strategies) {
        printLine();
        printLine(`## ${s.name}  (${s.strategy_id})`);
        printLine(s.brief);
        printLine(`When: ${s.when_to_use}`);
        printLine(`Examples: ${s.example_post_ids.join(', ')}`);
        if (s.best_times && s.best_times.length > 0) {
          const slots = s.best_times.map((t) => `${t.day ?? `${String(t.hour).padStart(2, '0')}:00 UTC`} ×${t.lift.toFixed(2)} (n=${t.n})`);
          printLine(`Best times: ${slots.join(', ')}`);
        } else {
          printLine('Best times: not enough posts per slot to say.');
        }
      }
    } finally {
      await store.close();
    }
  });
}
