import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger } from '@reer/core';
import { createRegistry, resolveModelCacheDir, type LanguageModel, type LmRegistry } from '@reer/lm-registry';
import { z } from 'zod';
import { DEFAULT_SCORE_OPTIONS, scoreTrajectories, synthesizeTrajectory, type SynthesisOptions } from '../src/index.ts';

/*
 * REER end to end on two real posts with a real local model (llama.cpp) as both generator and
 * scorer. The model comes from `pnpm models:fixture` (the test fails, naming it, when the model is
 * missing: CI runs it first); the posts from ../shared/data (skipped, saying so, when absent).
 * Search parameters are cut down so the file stays within a few minutes on two busy cores.
 */
const ARCHIVE = fileURLToPath(new URL('../../../../shared/data/x-archive/tweets.js', import.meta.url));
const hasData = existsSync(ARCHIVE);
const MODEL = 'smollm2-135m-instruct';
const modelFile = `${resolveModelCacheDir({ env: process.env })}/${MODEL}.gguf`;

const TweetSchema = z.object({
  tweet: z.object({
    full_text: z.string(),
    favorite_count: z.string(),
    in_reply_to_status_id_str: z.string().optional(),
  }),
});

/** The two most-liked original posts (not replies, not reposts) of the archive. */
function twoPosts(): string[] {
  const source = readFileSync(ARCHIVE, 'utf8');
  const tweets = z.array(TweetSchema).parse(JSON.parse(source.slice(source.indexOf('['))));
  return tweets
    .map((t) => t.tweet)
    .filter((t) => t.in_reply_to_status_id_str === undefined && !t.full_text.startsWith('RT @') && t.full_text.length >= 80)
    .sort((a, b) => Number(b.favorite_count) - Number(a.favorite_count))
    .slice(0, 2)
    .map((t) => t.full_text);
}

const options: SynthesisOptions = {
  search: { maxSteps: 1, expansions: 2, threshold: 0.25 },
  score: { ...DEFAULT_SCORE_OPTIONS, promptFormat: 'chatml', segmentMinChars: 40 },
  generation: { temperature: 0.8, topP: 0.85, maxTokens: 96, initialAttempts: 3, minTrajectoryTokens: 20 },
  leak: { ngram: 4, threshold: 0.3 },
};

let registry: LmRegistry;
let lm: LanguageModel;

describe.skipIf(!hasData)(`REER end to end with llama::${MODEL} (needs ../shared/data/x-archive)`, () => {
  beforeAll(async () => {
    if (!existsSync(modelFile)) {
      throw new Error(`the llama.cpp test model is missing (${modelFile}): run \`pnpm models:fixture\` first`);
    }
    const config = loadConfig({ env: {} });
    const providers = config.raw.providers as { entries: { llama: Record<string, unknown> } };
    providers.entries.llama = { ...providers.entries.llama, threads: 1, context_size: 2048 };
    registry = createRegistry({ config, env: process.env, logger: silentLogger });
    lm = await registry.load(`llama::${MODEL}`);
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
  });

  it('never ends with a worse score than it started, on two shared posts', async () => {
    const posts = twoPosts();
    expect(posts).toHaveLength(2);
    for (const [i, post] of posts.entries()) {
      const input = { query: 'Write a post for our followers about our latest news.', post, platform: 'x' };
      const result = await synthesizeTrajectory(input, { generator: lm, scorer: lm }, options);
      expect(result.status, `post ${i}: ${result.status === 'dropped' ? result.reason : ''}`).toBe('ok');
      if (result.status !== 'ok') continue;
      expect(result.finalScore).toBeLessThanOrEqual(result.initialScore);
      expect(result.initialScore).toBeGreaterThanOrEqual(0);
      expect(result.initialScore).toBeLessThanOrEqual(2);
      expect(result.history.length).toBeGreaterThanOrEqual(1);
      // The reported final score is the scorer's real verdict on the final trajectory.
      const [rescored] = await scoreTrajectories(lm, { query: input.query, post, trajectories: [result.trajectory] }, options.score);
      expect(rescored?.score).toBeCloseTo(result.finalScore, 3);
    }
  }, 600_000);
});
