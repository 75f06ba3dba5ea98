import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaptured } from '@reer/cli-kit/testing';
import type { PostData } from '@reer/core';
import { fakeProvidersConfig, startFakeOpenAIServer } from '@reer/lm-registry/testing';
import { TraceStore } from '@reer/trace-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../program.ts';

const cli = (args: string[]) => runCaptured(buildProgram(), args);

describe('social-run generate', () => {
  let dir = '';
  let server: Awaited<ReturnType<typeof startFakeOpenAIServer>>;
  let config = '';
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reer-generate-cli-'));
    let n = 0;
    server = await startFakeOpenAIServer({ handler: () => ({ text: `postText: Post number ${n++}: the release is out with ${n * 3} fixes and new docs.` }) });
    config = join(dir, 'fake.yaml');
    // JSON is YAML: the fake provider becomes the configured primary.
    writeFileSync(config, JSON.stringify(fakeProvidersConfig(server).raw));
    const store = await TraceStore.open(join(dir, 'data'));
    const history: PostData[] = Array.from({ length: 6 }, (_, i) => ({
      platform: 'x',
      post_id: String(i + 1),
      author: 'lab',
      text: `Past post ${i} about the package`,
      created_at: new Date(Date.UTC(2024, 0, i + 1)).toISOString(),
      is_reply: false,
      is_repost: false,
      metrics: { likes: i },
    }));
    await store.append('posts', history.map((data) => ({ type: 'post' as const, source: 'test', data })));
    await store.close();
    // No key and an empty model cache: the offline path is deterministic.
    delete process.env.OPENAI_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.TOGETHER_API_KEY;
    process.env.REER_MODEL_CACHE = join(dir, 'empty-cache');
  });

  afterAll(async () => {
    process.env = savedEnv;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the ranked list as JSON with the configured provider', async () => {
    const result = await cli(['--data-dir', join(dir, 'data'), '--config', config, 'generate', '--topic', 'the release', '--candidates', '3', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Using the configured provider dspy::fake/fake-model');
    const out = JSON.parse(result.stdout) as { topic: string; platform: string; candidates: Record<string, unknown>[]; usage: { calls: number } };
    expect(out).toMatchObject({ topic: 'the release', platform: 'x' });
    expect(out.candidates).toHaveLength(3);
    expect(out.candidates.map((c) => c.rank)).toEqual([1, 2, 3]);
    for (const c of out.candidates) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['rank', 'text', 'score', 'valid', 'violations', 'strategy', 'lm', 'explanation']));
      expect(c.lm).toBe('dspy::fake/fake-model');
    }
    expect(out.usage.calls).toBe(3);
  });

  it('falls back to the labelled offline composer and says so on stderr', async () => {
    const result = await cli(['--data-dir', join(dir, 'data'), 'generate', '--topic', 'the release', '--candidates', '2']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('offline composer (offline::template)');
    expect(result.stdout).toContain('# Posts about "the release" for x');
    expect(result.stdout).toContain('offline::template');
  });

  it.each([
    [['--candidates', '0'], /--candidates must be a whole number/],
    [['--strategy', 'no-such-strategy'], /unknown strategy "no-such-strategy"/],
    [['--platform', 'myspace'], /argument 'myspace' is invalid/],
  ])('exits 2 on bad usage %j', async (extra, message) => {
    const result = await cli(['--data-dir', join(dir, 'data'), 'generate', '--topic', 't', ...extra]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
