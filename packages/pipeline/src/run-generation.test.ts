import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxMockAIService } from '@ax-llm/ax';
import type { PostData } from '@reer/core';
import { TraceStore } from '@reer/trace-store';
import { describe, expect, it } from 'vitest';
import { axGeneratorLm } from './generate.ts';
import { OFFLINE_LM } from './offline-composer.ts';
import { DEFAULT_INSTRUCTION } from './program.ts';
import { latestMinedStrategies, runGeneration } from './run-generation.ts';

function posts(count: number): PostData[] {
  return Array.from({ length: count }, (_, i) => ({
    platform: 'x' as const,
    post_id: String(1000 + i),
    author: 'labnotes',
    text: i % 2 ? `Release ${i} of our data package is out, with docs #rstats` : `Community call ${i}: how we review code together`,
    created_at: new Date(Date.UTC(2023, 0, 1 + i)).toISOString(),
    is_reply: false,
    is_repost: false,
    metrics: { impressions: 1000 + i * 10, likes: (i * 7) % 30, reposts: i % 5 },
  }));
}

async function seededDataDir(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reer-gen-'));
  const store = await TraceStore.open(dataDir);
  await store.append(
    'posts',
    posts(40).map((data) => ({ type: 'post' as const, source: 'test', data })),
  );
  await store.close();
  return dataDir;
}

async function storedCandidates(dataDir: string) {
  const store = await TraceStore.open(dataDir);
  const out = [];
  for await (const r of store.scan('candidates')) out.push(r);
  await store.close();
  return out;
}

describe('runGeneration', () => {
  it('composes offline from the store, ranks, and stores every candidate with its inputs', async () => {
    const dataDir = await seededDataDir();
    const result = await runGeneration({ dataDir, topic: 'the next package release', platform: 'x', lms: [], candidates: 4 });
    expect(result.author).toBe('labnotes');
    expect(result.strategySource).toBe('builtin');
    expect(result.program.source).toBe('seed');
    expect(result.candidates.length).toBeGreaterThan(0);
    expect(result.candidates.every((c) => c.lm === OFFLINE_LM && c.valid)).toBe(true);
    const scores = result.candidates.map((c) => c.score ?? 0);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const stored = await storedCandidates(dataDir);
    expect(stored).toHaveLength(result.candidates.length + result.dropped.length);
    const first = stored[0];
    expect(first?.type).toBe('candidate');
    if (first?.type === 'candidate') {
      expect(first.data.run_id).toBe(result.runId);
      expect(first.data.prompt_inputs.postTopic).toBe('the next package release');
      expect(first.data.prompt_inputs.instruction).toBe(DEFAULT_INSTRUCTION);
    }
  });

  it('uses mined strategies and the tuned instruction when the data dir has them', async () => {
    const dataDir = await seededDataDir();
    const store = await TraceStore.open(dataDir);
    await store.append('strategies', [
      {
        type: 'strategy',
        source: 'test',
        data: {
          strategy_id: 'mined:release-list',
          name: 'Release with a list',
          brief: 'Announce the release, then list three changes.',
          when_to_use: 'releases',
          platform: 'x',
          example_post_ids: ['1001'],
          lift: { estimate: 1.8, low: 1.2, high: 2.4, n: 30 },
          features: {},
          keywords: ['release'],
        },
      },
    ]);
    await store.close();
    mkdirSync(join(dataDir, 'models'), { recursive: true });
    writeFileSync(join(dataDir, 'models', 'tuned_pipeline.json'), JSON.stringify({ components: { instruction: 'TUNED: lead with the number of changes.' } }));

    const systems: string[] = [];
    const ai = new AxMockAIService<string>({
      chatResponse: async (req) => {
        systems.push(String(req.chatPrompt[0]?.content ?? ''));
        return { results: [{ index: 0, content: `Post Text: Release day ${systems.length}: three changes you asked for.`, finishReason: 'stop' }] };
      },
    });
    const result = await runGeneration({ dataDir, topic: 'package release', platform: 'x', lms: [axGeneratorLm('mock::a', ai)], candidates: 2 });
    expect(result.strategySource).toBe('mined');
    expect(result.program.source).toBe('tuned');
    expect(systems[0]).toContain('TUNED: lead with the number of changes.');
    expect([...result.candidates, ...result.dropped].every((c) => c.strategy === 'mined:release-list')).toBe(true);
  });
});

describe('latestMinedStrategies', () => {
  const strategy = (id: string, run: string, minedAt: string, platform = 'x') => ({
    id: `00000000-0000-4000-8000-${id.padStart(12, '0')}`,
    timestamp: minedAt,
    type: 'strategy' as const,
    source: 'test',
    metadata: {},
    data: {
      strategy_id: id,
      name: id,
      brief: 'b',
      when_to_use: '',
      platform: platform as 'x',
      example_post_ids: [],
      lift: { estimate: 1, low: 1, high: 1, n: 1 },
      features: {},
      run_id: run,
      mined_at: minedAt,
    },
  });

  it('keeps only the newest mining run for the platform', () => {
    const records = [
      strategy('1', 'old', '2024-01-01T00:00:00.000Z'),
      strategy('2', 'new', '2024-02-01T00:00:00.000Z'),
      strategy('3', 'new', '2024-02-01T00:00:00.000Z'),
      strategy('4', 'other', '2024-03-01T00:00:00.000Z', 'linkedin'),
    ];
    expect(latestMinedStrategies(records, 'x', null).map((s) => s.strategy_id)).toEqual(['2', '3']);
    expect(latestMinedStrategies(records, 'bluesky', null)).toEqual([]);
  });
});
