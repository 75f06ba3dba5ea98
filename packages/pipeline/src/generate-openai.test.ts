import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostData } from '@reer/core';
import { createRegistry } from '@reer/lm-registry';
import { fakeProvidersConfig, startFakeOpenAIServer, type FakeRequest } from '@reer/lm-registry/testing';
import { TraceStore } from '@reer/trace-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatorLmFrom } from './lm-session.ts';
import { runGeneration } from './run-generation.ts';

const LONG = `We shipped version 3 of the package today. ${'It has faster imports, new plotting helpers, clearer errors and much better documentation for every function. '.repeat(3)}`;
const POSTS = [
  'Version 3 is out: faster imports and clearer errors. Upgrade today #rstats',
  LONG,
  'Version 3 is out: faster imports and clearer errors. Upgrade today #rstats!',
  'Big day for the package: docs rewritten from scratch, every example runs.',
  LONG,
  'Three things in v3: speed, plots, docs. Which one did you wait for?',
  'Our community helped shape v3. Thank you to every contributor!',
  'Release notes for v3 are on the blog: what changed and why.',
];

function systemPrompt(request: FakeRequest): string {
  const body = request.body as { messages?: { role: string; content: unknown }[] } | undefined;
  const system = body?.messages?.find((m) => m.role === 'system')?.content;
  return typeof system === 'string' ? system : JSON.stringify(system ?? '');
}

describe('generate through the real OpenAI adapter against a fake server', () => {
  let server: Awaited<ReturnType<typeof startFakeOpenAIServer>>;
  let dataDir: string;
  let generation = 0;

  beforeAll(async () => {
    server = await startFakeOpenAIServer({
      handler: (request) => {
        if (request.endpoint !== 'chat') return undefined;
        if (systemPrompt(request).includes('shortenedPost')) return { text: 'shortenedPost: v3 is out: faster, clearer, better documented.' };
        const n = generation++;
        if (n === 1) return { status: 429, headers: { 'retry-after': '0' }, json: { error: { message: 'slow down', type: 'rate_limit' } } };
        return { text: `postText: ${POSTS[n % POSTS.length]}` };
      },
    });
    dataDir = mkdtempSync(join(tmpdir(), 'reer-gen-openai-'));
    const store = await TraceStore.open(dataDir);
    const history: PostData[] = Array.from({ length: 12 }, (_, i) => ({
      platform: 'x',
      post_id: String(i + 1),
      author: 'lab',
      text: `Post ${i} about our package and its docs`,
      created_at: new Date(Date.UTC(2024, 0, i + 1)).toISOString(),
      is_reply: false,
      is_repost: false,
      metrics: { impressions: 500, likes: i },
    }));
    await store.append('posts', history.map((data) => ({ type: 'post' as const, source: 'test', data })));
    await store.close();
  });

  afterAll(async () => {
    await server.close();
  });

  it('returns a full, valid, ranked list despite long posts, duplicates and a 429', async () => {
    const registry = createRegistry({ config: fakeProvidersConfig(server), env: {} });
    const lm = generatorLmFrom(registry.resolve('dspy::fake/fake-model'));
    const result = await runGeneration({ dataDir, topic: 'version 3 of the package', platform: 'x', lms: [lm], candidates: 8 });
    await registry.close();

    // The 429 was retried, not turned into a failed candidate.
    const all = [...result.candidates, ...result.dropped];
    const repairs = all.reduce((n, c) => n + c.repairs, 0);
    expect(server.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(8 + repairs + 1);
    expect(result.dropped.filter((c) => c.dropped?.startsWith('generation failed'))).toHaveLength(0);
    expect(result.candidates.reduce((n, c) => n + c.usage.retries, 0) + result.dropped.reduce((n, c) => n + c.usage.retries, 0)).toBe(1);

    // Too-long posts were repaired, duplicates collapsed; what is left is valid and ranked.
    expect(result.candidates.length).toBeGreaterThanOrEqual(5);
    expect(result.candidates.every((c) => c.valid && c.violations.every((v) => !v.startsWith('too_long')))).toBe(true);
    expect(result.candidates.some((c) => c.repairs > 0)).toBe(true);
    expect(result.dropped.some((c) => c.dropped?.startsWith('near-duplicate'))).toBe(true);
    expect(result.candidates.map((c) => c.rank)).toEqual(result.candidates.map((_, i) => i + 1));
    const scores = result.candidates.map((c) => c.score ?? 0);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const c of result.candidates) {
      expect(c.lm).toBe('dspy::fake/fake-model');
      expect(c.usage.calls).toBeGreaterThan(0);
      expect(c.usage.input_tokens).toBeGreaterThan(0);
    }
  });
});
