import { Command } from 'commander';
import { createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import type { MetricName } from '@reer/core';

function percent(x: number | undefined): string {
  return x === undefined ? '-' : `${Math.round(x * 100)}%`;
}

const SHOWN: readonly MetricName[] = ['impressions', 'likes', 'reposts', 'replies', 'bookmarks', 'engagements', 'engagement_rate'];

export function statsCommand(): Command {
  const command = new Command('stats').description(
    'Summarize the store: posts per platform and author (newest version of each), date range, replies and reposts, and which metrics the posts have.',
  );
  // runMain sets exitOverride on the root only; without it here commander exits 1 itself on a usage error.
  command.exitOverride();
  withJson(command);
  withExamples(command, ['social-collect stats', 'social-collect stats --json --data-dir ./data']);
  return command.action(async (_flags: { json?: boolean }, cmd: Command) => {
    const ctx = createContext(cmd);
    const { computeStats } = await import('@reer/ingest');
    const { TraceStore, storeOptionsFromConfig } = await import('@reer/trace-store');
    const store = await TraceStore.open(ctx.dataDir, storeOptionsFromConfig(ctx.config, ctx.logger));
    const stats = await computeStats(store).finally(() => store.close());
    if (ctx.json) {
      printJson(stats);
      return;
    }
    if (stats.posts === 0) {
      printLine(`no posts in ${ctx.dataDir}: run social-collect ingest <files> first`);
      return;
    }
    printLine(`${stats.posts} posts (${stats.versions} versions) from ${stats.first?.slice(0, 10)} to ${stats.last?.slice(0, 10)} in ${ctx.dataDir}`);
    printLine();
    printLine(
      formatTable(
        ['platform', 'author', 'posts', 'replies', 'reposts', 'from', 'to', ...SHOWN.map((m) => `${m.replace('engagement_rate', 'eng_rate')} %`)],
        stats.by_author.map((a) => [
          a.platform,
          a.author,
          a.posts,
          a.replies,
          a.reposts,
          a.first.slice(0, 10),
          a.last.slice(0, 10),
          ...SHOWN.map((m) => percent(a.coverage[m])),
        ]),
      ),
    );
    printLine('("<metric> %": share of posts that have the metric)');
  });
}
