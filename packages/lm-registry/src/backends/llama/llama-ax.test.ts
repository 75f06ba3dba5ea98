import { existsSync } from 'node:fs';
import { ax, f } from '@ax-llm/ax';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, silentLogger } from '@reer/core';
import { z } from 'zod';
import { createAxService } from '../../ax-service.ts';
import { createRegistry, type LmRegistry } from '../../registry.ts';
import type { LanguageModel } from '../../types.ts';
import { cachedModelFile, resolveModelCacheDir } from './index.ts';

/*
 * The llama:: provider through the registry and its Ax service adapter, with the real model that
 * `pnpm models:fixture` caches. Fails (never skips) when it is missing: CI runs the fixture first.
 */
const MODEL = 'smollm2-135m-instruct';
const env = { ...process.env };
const modelFile = cachedModelFile(resolveModelCacheDir({ env }), MODEL);

let registry: LmRegistry;
let lm: LanguageModel;

beforeAll(async () => {
  if (!existsSync(modelFile)) {
    throw new Error(`the llama.cpp test model is missing (${modelFile}): run \`pnpm models:fixture\` first`);
  }
  const config = loadConfig({ env: {} });
  const providers = config.raw.providers as { entries: { llama: Record<string, unknown> } };
  // One thread and a small context: the test machine has two cores shared with other work.
  providers.entries.llama = { ...providers.entries.llama, threads: 1, context_size: 2048 };
  registry = createRegistry({ config, env, logger: silentLogger });
  lm = await registry.load(`llama::${MODEL}`);
}, 120_000);

afterAll(async () => {
  await registry?.close();
});

describe('llama:: through the registry and Ax', () => {
  it('declares its capabilities and accounts usage', async () => {
    expect(lm.capabilities).toEqual({ chat: true, stream: true, score: true, jsonSchema: true, seed: true });
    const result = await lm.chat({ messages: [{ role: 'user', content: 'Say hi.' }], maxTokens: 8, temperature: 0 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.lm).toBe(`llama::${MODEL}`);
    const usage = registry.usage().find((u) => u.provider === 'llama');
    expect(usage?.calls).toBeGreaterThanOrEqual(1);
    expect(usage?.outputTokens).toBeGreaterThan(0);
    expect(usage?.costUsd).toBe(0);
  });

  it('runs a structured-output Ax program constrained by its JSON schema', async () => {
    // An object output makes Ax use native structured output: it sends the JSON schema, which the
    // backend turns into a llama.cpp grammar, so even a 135M model returns valid JSON.
    const signature = f()
      .input('postTopic', f.string('what the post is about'))
      .output('postPlan', f.object({ headline: f.string('a short headline'), hashtags: f.string('a hashtag').array('two hashtags'), tone: f.class(['upbeat', 'calm'], 'the tone') }, 'the plan of the post'))
      .build();
    const program = ax(signature);
    const output = await program.forward(createAxService(lm), { postTopic: 'a new open-source release of our data package' }, { maxRetries: 0, stream: false, modelConfig: { maxTokens: 120, temperature: 0 } });
    const parsed = z
      .object({ postPlan: z.object({ headline: z.string().min(1), hashtags: z.array(z.string()), tone: z.enum(['upbeat', 'calm']) }).strict() })
      .parse(output);
    expect(parsed.postPlan.headline.length).toBeGreaterThan(0);
  });
});
