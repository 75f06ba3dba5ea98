import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { EvaluationDataSchema, ReerError, errorMessage, formatZodIssues, type EvaluationData } from '@reer/core';
import { EXIT_CHECK_FAILED, ExitCode, createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';

interface CompareOptions {
  threshold: number;
}

/** Metrics where a rise is bad; every other metric is better higher. */
const LOWER_IS_BETTER = /(^|_)(failed|invalid|violations|errors?|loss)($|_)/;

function parseThreshold(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number, e.g. 0.05');
  return n;
}

async function readEvaluation(file: string): Promise<EvaluationData> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ReerError('E_INPUT_NOT_FOUND', `${file}: cannot read (${errorMessage(cause)})`, { hint: 'Save evaluations with `social-eval backtest --json > file.json` or `social-eval check … --json > file.json`.' });
  }
  let json: unknown;
  try {
    // A saved `check --json` or `backtest --json` is one JSON object; accept its last line too.
    json = JSON.parse(text.trim().split('\n').at(-1) ?? '');
  } catch (cause) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: not JSON (${errorMessage(cause)})`, { hint: 'Give a file written by `social-eval backtest --json` or `check --json`.' });
  }
  const parsed = EvaluationDataSchema.safeParse(json);
  if (!parsed.success) {
    throw new ReerError('E_INPUT_FORMAT', `${file}: not a saved evaluation (${formatZodIssues(parsed.error).join('; ')})`, {
      hint: 'An evaluation is {"kind", "subject", "metrics": {name: number}}, as written by `backtest --json`.',
    });
  }
  return parsed.data;
}

export interface MetricChange {
  metric: string;
  before: number | null;
  after: number | null;
  delta: number | null;
  status: 'regression' | 'improvement' | 'unchanged' | 'missing';
}

/** Compare metric by metric: a change beyond `threshold` (absolute up to 1, relative above) is significant. */
export function compareEvaluations(a: EvaluationData, b: EvaluationData, threshold: number): MetricChange[] {
  const names = [...new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])].sort();
  return names.map((metric) => {
    const before = a.metrics[metric] ?? null;
    const after = b.metrics[metric] ?? null;
    if (before === null || after === null) return { metric, before, after, delta: null, status: 'missing' };
    const delta = after - before;
    const significant = Math.abs(delta) > threshold * Math.max(1, Math.abs(before));
    const better = LOWER_IS_BETTER.test(metric) ? delta < 0 : delta > 0;
    return { metric, before, after, delta, status: !significant ? 'unchanged' : better ? 'improvement' : 'regression' };
  });
}

export function compareCommand(): Command {
  const command = withJson(
    new Command('compare')
      // Usage errors and --help must reach runMain (exit 2 / 0) rather than exit here.
      .exitOverride()
      .description('Compare two saved evaluations and fail on a significant regression')
      .argument('<a>', 'the baseline evaluation (JSON from backtest --json or check --json)')
      .argument('<b>', 'the new evaluation')
      .option('--threshold <delta>', 'smallest change that counts: absolute for metrics up to 1, relative above', parseThreshold, 0.05),
  );
  withExamples(command, ['social-eval compare main.json branch.json', 'social-eval compare before.json after.json --threshold 0.02 --json']);
  return command.action(async (a: string, b: string, options: CompareOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const [before, after] = await Promise.all([readEvaluation(a), readEvaluation(b)]);
    if (before.kind !== after.kind) {
      throw new ReerError('E_INPUT_FORMAT', `${a} is a ${before.kind} evaluation but ${b} is a ${after.kind} one`, { hint: 'Compare evaluations of the same kind.' });
    }
    const changes = compareEvaluations(before, after, options.threshold);
    const regressions = changes.filter((c) => c.status === 'regression');
    if (ctx.json) {
      printJson({ kind: before.kind, threshold: options.threshold, regressions: regressions.length, changes });
    } else {
      const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(3));
      printLine(formatTable(['metric', 'before', 'after', 'change', 'status'], changes.map((c) => [c.metric, fmt(c.before), fmt(c.after), c.delta === null ? '-' : `${c.delta >= 0 ? '+' : ''}${fmt(c.delta)}`, c.status])));
      printLine();
      printLine(regressions.length === 0 ? 'No significant regression.' : `${regressions.length} significant regression(s): ${regressions.map((r) => r.metric).join(', ')}.`);
    }
    if (regressions.length > 0) throw new ExitCode(EXIT_CHECK_FAILED);
  });
}
