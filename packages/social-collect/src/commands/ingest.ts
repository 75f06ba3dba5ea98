import { Command, InvalidArgumentError, Option } from 'commander';
import { ExitCode, createContext, createProgress, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { PLATFORMS, type Platform } from '@reer/core';
import { parseMapOption, type FormatId, type IngestCounts, type IngestSummary } from '@reer/ingest';

interface IngestFlags {
  format?: string;
  map?: string[];
  platform?: Platform;
  author?: string;
  dryRun?: boolean;
  json?: boolean;
}

const FORMATS = ['auto', 'x-current', 'x-legacy', 'x-archive', 'meta-facebook', 'meta-instagram', 'linkedin-shares', 'linkedin-analytics', 'linkedin-company', 'generic'];
/** Show a progress bar only when there is enough to read for one to help. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** Checks each --map value as it is parsed, so a typo is a usage error (exit 2) before any file is read. */
function collect(parseMapOption: (values: readonly string[]) => unknown) {
  return (value: string, previous: string[] = []): string[] => {
    try {
      parseMapOption([value]);
    } catch (error: unknown) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
    return [...previous, value];
  };
}

function countsRow(label: string, c: IngestCounts): (string | number)[] {
  return [label, c.files, c.rows_read, c.posts_ingested, c.new_versions, c.duplicates, c.rejected];
}

function printSummary(summary: IngestSummary): void {
  const rows = (Object.entries(summary.by_format) as [FormatId, IngestCounts][]).map(([format, c]) => countsRow(format, c));
  rows.push(countsRow('total', summary));
  printLine(formatTable(['format', 'files', 'rows read', 'posts ingested', 'new versions', 'duplicates', 'rejected'], rows));
  const notes = summary.per_file.filter((f) => f.header_at_end || f.positional_columns || f.repaired);
  for (const f of notes) {
    const what = [
      f.header_at_end ? 'header was the last row' : '',
      f.positional_columns ? 'header language unknown: columns taken in the export\'s fixed order' : '',
      f.repaired ? `${f.repaired} posts repaired (mojibake or id recovered from the permalink)` : '',
    ].filter(Boolean);
    printLine(`note: ${f.file}: ${what.join('; ')}`);
  }
  for (const note of summary.notes) printLine(`note: ${note}`);
  for (const warning of summary.warnings) printLine(`warning: ${warning}`);
  if (summary.rejected > 0) {
    printLine(summary.rejects_file ? `${summary.rejected} rows rejected: see ${summary.rejects_file}` : `${summary.rejected} rows would be rejected`);
  }
  if (summary.dry_run) printLine('dry run: nothing was written');
}

export function ingestCommand(): Command {
  const command = new Command('ingest')
    .description(
      'Read analytics exports (files or folders), detect each format, normalize every post and add it to the store. ' +
        'Re-ingesting the same files adds nothing; a later export of the same post adds a new version with its fresher metrics. ' +
        'Rejected rows go to social/rejects.jsonl. Exit 0 when every row was read, 1 when some were rejected, 2 for unusable input.',
    )
    .argument('<paths...>', 'export files or folders holding them')
    .addOption(new Option('--format <format>', 'skip detection and read every file as this format').choices(FORMATS).default('auto'))
    .option('--map <field=Column>', 'take a field from a named column (repeatable, or comma-separated: text=Post,impressions=Impr.)', collect(parseMapOption))
    .addOption(new Option('--platform <platform>', 'platform of the posts (needed for generic files)').choices([...PLATFORMS]))
    .option('--author <handle>', 'author of every post (default: the author column, the permalink handle, the file name, or the archive account)')
    .option('--dry-run', 'read and classify everything but write nothing')
    // runMain sets exitOverride on the root only; without it here commander exits 1 itself on a usage error.
    .exitOverride();
  withJson(command);
  withExamples(command, [
    'social-collect ingest data/samples',
    'social-collect ingest ~/Downloads/tweet_activity_metrics_*.csv --json',
    'social-collect ingest ~/Downloads/twitter-archive/data/tweets.js --author myhandle',
    'social-collect ingest Shares.csv Content_2024-01-01_2024-03-31_JaneDoe.xlsx',
    'social-collect ingest buffer-export.csv --platform linkedin --map post_id=ID,text=Post,created_at="Sent at",impressions=Impressions',
  ]);
  return command.action(async (paths: string[], flags: IngestFlags, cmd: Command) => {
    const ctx = createContext(cmd);
    const { ingestPaths, ingestConfig } = await import('@reer/ingest');
    const { storeOptionsFromConfig } = await import('@reer/trace-store');
    const config = ingestConfig(ctx.config);
    const progress = createProgress(ctx.interactive && !ctx.json, 'ingest');
    let started = false;
    const summary = await ingestPaths(paths, {
      dataDir: ctx.dataDir,
      dryRun: flags.dryRun,
      format: flags.format === undefined || flags.format === 'auto' ? undefined : (flags.format as FormatId),
      map: flags.map ? parseMapOption(flags.map) : undefined,
      platform: flags.platform,
      author: flags.author,
      source: config.source,
      workerMinBytes: config.worker_min_bytes,
      storeOptions: storeOptionsFromConfig(ctx.config, ctx.logger),
      logger: ctx.logger,
      onProgress: ({ bytesRead, bytesDone, bytesTotal }) => {
        if (bytesTotal < PROGRESS_MIN_BYTES) return;
        if (!started) {
          progress.start(bytesTotal);
          started = true;
        }
        progress.update(Math.min(bytesTotal, bytesDone + bytesRead));
      },
    }).finally(() => progress.stop());
    if (ctx.json) printJson(summary);
    else printSummary(summary);
    if (summary.rejected > 0) throw new ExitCode(1);
  });
}
