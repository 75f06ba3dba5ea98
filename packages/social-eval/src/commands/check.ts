import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PLATFORMS, ReerError, errorMessage, type Platform } from '@reer/core';
import { EXIT_CHECK_FAILED, ExitCode, createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { readInputPosts } from '../input.ts';
import { junitXml } from '../junit.ts';
import { createScorer, inputPlatform, preview, scorePosts } from '../scoring.ts';

interface CheckOptions {
  input: string;
  minScore: number;
  maxViolations: number;
  junit?: string;
  platform?: Platform;
}

function parseScore(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a score between 0 and 1, e.g. 0.5');
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}

export function checkCommand(): Command {
  const command = withJson(
    new Command('check')
      // Usage errors and --help must reach runMain (exit 2 / 0) rather than exit here.
      .exitOverride()
      .description('CI gate: fail when any post scores below --min-score, breaks a hard rule, or has more than --max-violations violations')
      .requiredOption('--input <file>', 'posts: JSONL, CSV with a text column, or text with one post per paragraph')
      .requiredOption('--min-score <score>', 'lowest passing score, 0–1', parseScore)
      .option('--max-violations <n>', 'most rule violations (hard or advisory) a passing post may have', parseCount, 0)
      .option('--junit <file>', 'also write a JUnit XML report for CI')
      .addOption(new Option('--platform <platform>', 'platform for posts that name none (default: the most common in the input, else the data dir’s, else x)').choices(PLATFORMS)),
  );
  withExamples(command, [
    'social-eval check --input drafts.jsonl --min-score 0.5',
    'social-eval check --input drafts.csv --min-score 0.6 --max-violations 1 --junit reports/social-eval.xml',
  ]);
  return command.action(async (options: CheckOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const posts = await readInputPosts(options.input);
    const { scorer, platform } = await createScorer(ctx, options.platform ?? inputPlatform(posts));
    const results = scorePosts(scorer, posts, platform).map((s) => {
      const reasons: string[] = [];
      if (!s.result.valid) reasons.push(`invalid: ${s.result.violations.filter((v) => v.hard).map((v) => v.reason).join('; ')}`);
      if (s.result.score < options.minScore) reasons.push(`score ${s.result.score.toFixed(3)} < ${options.minScore}`);
      if (s.result.violations.length > options.maxViolations) reasons.push(`${s.result.violations.length} violations > ${options.maxViolations}`);
      return { ...s, passed: reasons.length === 0, reasons };
    });
    const failed = results.filter((r) => !r.passed).length;

    if (options.junit) {
      const xml = junitXml(
        'social-eval check',
        results.map((r) => ({
          name: `${r.post.id}: ${preview(r.post.text, 60)}`,
          classname: `social-eval.check.${r.platform}`,
          ...(r.passed ? {} : { failure: { message: r.reasons.join('; '), detail: `${r.result.explanation}\n\n${r.post.text}` } }),
          output: r.result.explanation,
        })),
        new Date().toISOString(),
      );
      try {
        await writeFile(options.junit, xml, 'utf8');
      } catch (cause) {
        throw new ReerError('E_INPUT_NOT_FOUND', `${options.junit}: cannot write the JUnit report (${errorMessage(cause)})`, { hint: 'Check that the folder of --junit exists and is writable.' });
      }
    }
    const scores = results.map((r) => r.result.score);
    if (ctx.json) {
      printJson({
        kind: 'check',
        subject: options.input,
        metrics: {
          pass_rate: (results.length - failed) / results.length,
          failed,
          mean_score: scores.reduce((a, b) => a + b, 0) / scores.length,
          min_score: Math.min(...scores),
          invalid: results.filter((r) => !r.result.valid).length,
        },
        results: results.map((r) => ({ id: r.post.id, passed: r.passed, reasons: r.reasons, score: r.result.score, valid: r.result.valid, violations: r.result.violations })),
      });
    } else {
      printLine(
        formatTable(
          ['id', 'result', 'score', 'post', 'reasons'],
          results.map((r) => [r.post.id, r.passed ? 'pass' : 'FAIL', r.result.score.toFixed(3), preview(r.post.text, 40), r.reasons.join('; ')]),
        ),
      );
      printLine();
      printLine(`${results.length - failed}/${results.length} posts passed (min score ${options.minScore}, max violations ${options.maxViolations}).`);
    }
    if (failed > 0) throw new ExitCode(EXIT_CHECK_FAILED);
  });
}
