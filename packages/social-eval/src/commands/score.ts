import { Command, Option } from 'commander';
import { PLATFORMS, type Platform } from '@reer/core';
import { createContext, formatTable, printJson, printLine, withExamples, withJson } from '@reer/cli-kit';
import { readInputPosts } from '../input.ts';
import { createScorer, inputPlatform, preview, scorePosts } from '../scoring.ts';

interface ScoreOptions {
  input: string;
  platform?: Platform;
}

export function scoreCommand(): Command {
  const command = withJson(
    new Command('score')
      // Usage errors and --help must reach runMain (exit 2 / 0) rather than exit here.
      .exitOverride()
      .description('Score posts with the heuristics and the engagement model learned from the data dir')
      .requiredOption('--input <file>', 'posts: JSONL of {id, text, platform?, created_at?}, a CSV with a text column, or text with one post per paragraph')
      .addOption(new Option('--platform <platform>', 'platform for posts that name none (default: the most common in the input, else the data dir’s, else x)').choices(PLATFORMS)),
  );
  withExamples(command, [
    'social-eval score --input drafts.jsonl --platform x',
    'social-eval score --input drafts.txt --data-dir data --json > scores.jsonl',
  ]);
  return command.action(async (options: ScoreOptions, cmd: Command) => {
    const ctx = createContext(cmd);
    const posts = await readInputPosts(options.input);
    const { scorer, platform } = await createScorer(ctx, options.platform ?? inputPlatform(posts));
    const scored = scorePosts(scorer, posts, platform);
    if (ctx.json) {
      for (const { post, result } of scored) {
        printJson({
          id: post.id,
          score: result.score,
          valid: result.valid,
          violations: result.violations,
          contributions: result.contributions,
          explanation: result.explanation,
        });
      }
      return;
    }
    printLine(
      formatTable(
        ['id', 'score', 'valid', 'post', 'why'],
        scored.map(({ post, result }) => [post.id, result.score.toFixed(3), result.valid ? 'yes' : 'NO', preview(post.text, 40), result.explanation]),
      ),
    );
  });
}
