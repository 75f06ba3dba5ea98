import { existsSync } from 'node:fs';
import type { Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReerError, silentLogger } from '@reer/core';
import { z } from 'zod';
import type { ScoreRequest } from '../../types.ts';
import { cachedModelFile, createLlamaBackend, resolveModelCacheDir, type LlamaBackend } from './index.ts';

/*
 * Runs the real SmolLM2-135M-Instruct GGUF that `pnpm models:fixture` puts into the model cache
 * (REER_TEST_LLAMA_MODEL picks another cached model or a .gguf path). Without it every test here
 * fails with what to run: CI runs the fixture first, and a silent skip would hide a broken setup.
 */
const MODEL = process.env.REER_TEST_LLAMA_MODEL ?? 'smollm2-135m-instruct';
const modelFile = MODEL.endsWith('.gguf') ? MODEL : cachedModelFile(resolveModelCacheDir({ env: process.env }), MODEL);
const never = new AbortController().signal;

let backend: LlamaBackend;

beforeAll(async () => {
  if (!existsSync(modelFile)) {
    throw new Error(`the llama.cpp test model is missing (${modelFile}): run \`pnpm models:fixture\` first`);
  }
  // Two sequences and one thread: the test machine has two cores shared with other work.
  backend = createLlamaBackend(MODEL, { env: process.env, logger: silentLogger, settings: { sequences: 2, threads: 1, context_size: 1024 } }) as LlamaBackend;
  await backend.shared();
}, 120_000);

afterAll(async () => {
  await backend?.close();
});

const ask = (content: string) => [{ role: 'user' as const, content }];

describe('llama.cpp backend with a real small model', () => {
  it('writes non-empty text, identical for the same seed', async () => {
    const request = { messages: ask('Write one sentence about the sea.'), maxTokens: 24, temperature: 0.8, seed: 1234 };
    const first = await backend.chat(request, never);
    const second = await backend.chat(request, never);
    expect(first.text.trim().length).toBeGreaterThan(0);
    expect(second.text).toBe(first.text);
    expect(first.usage.inputTokens).toBeGreaterThan(5);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    expect(first.usage.outputTokens).toBeLessThanOrEqual(24);
  });

  it('honours stop strings and reports length cut-offs', async () => {
    const request = { messages: ask('Count from 1 to 10, separated by commas.'), maxTokens: 40, temperature: 0 };
    const free = await backend.chat(request, never);
    expect(free.text).toContain('4');
    const stopped = await backend.chat({ ...request, stop: ['4'] }, never);
    expect(stopped.text).not.toContain('4');
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.finishReason).toBe('stop');
    const short = await backend.chat({ ...request, maxTokens: 3 }, never);
    expect(short.finishReason).toBe('length');
  });

  it('streams deltas in order, ending with done', async () => {
    const events = [];
    for await (const event of backend.streamChat({ messages: ask('Name three colours.'), maxTokens: 20, temperature: 0 }, never)) events.push(event);
    const last = events.at(-1);
    expect(last?.type).toBe('done');
    const deltas = events.filter((e) => e.type === 'delta');
    expect(deltas.length).toBeGreaterThan(2);
    expect(events.slice(0, -1).every((e) => e.type === 'delta')).toBe(true);
    const joined = deltas.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    expect(last?.type === 'done' && last.result.text).toBe(joined);
    const plain = await backend.chat({ messages: ask('Name three colours.'), maxTokens: 20, temperature: 0 }, never);
    expect(joined).toBe(plain.text);
  });

  it('constrains output to a JSON schema', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' }, mood: { enum: ['happy', 'sad'] }, tags: { type: 'array', items: { type: 'string' }, maxItems: 3 } },
      required: ['title', 'mood', 'tags'],
      additionalProperties: false,
    };
    const result = await backend.chat({ messages: ask('Describe a post about a sunny beach day as JSON.'), maxTokens: 80, temperature: 0, jsonSchema: schema }, never);
    const parsed = z
      .object({ title: z.string(), mood: z.enum(['happy', 'sad']), tags: z.array(z.string()).max(3) })
      .strict()
      .parse(JSON.parse(result.text));
    expect(parsed.title.length).toBeGreaterThan(0);
  });

  it('scores exactly the log-probabilities a direct per-prefix computation gives', async () => {
    const request: ScoreRequest = { prompt: 'Finish the sentence: ', continuation: 'The cat sat on the mat.' };
    const [scored] = await backend.score([request], never);
    expect(scored).toBeDefined();
    const tokens = scored!.tokens;
    // The spans cover the continuation exactly, in order.
    expect(tokens.map((t) => request.continuation.slice(t.start, t.end)).join('')).toBe(request.continuation);
    expect(tokens[0]?.start).toBe(0);
    expect(tokens.at(-1)?.end).toBe(request.continuation.length);

    // Reference: a fresh context per prefix, reading the next-token distribution at its last position.
    const { model } = await backend.shared();
    const text = request.prompt + request.continuation;
    const all: Token[] = model.tokenize(text, true);
    const withBos = model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? [model.tokens.bos, ...all] : all;
    const scoredCount = tokens.length;
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1 });
    try {
      const sequence = context.getSequence();
      for (let k = 0; k < scoredCount; k++) {
        const position = withBos.length - scoredCount + k;
        await sequence.clearHistory();
        const prefix = withBos.slice(0, position);
        const outputs = await sequence.controlledEvaluate(prefix.map((t, i) => (i === prefix.length - 1 ? [t, { generateNext: { probabilities: true } }] : t)));
        const distribution = outputs[prefix.length - 1]?.next.probabilities;
        expect(distribution).toBeDefined();
        let total = 0;
        for (const p of distribution!.values()) total += p;
        expect(total).toBeCloseTo(1, 3);
        const direct = Math.log(distribution!.get(withBos[position]!)!);
        expect(Math.abs(tokens[k]!.logprob - direct)).toBeLessThan(2e-3);
      }
    } finally {
      await context.dispose();
    }
    const mean = -tokens.reduce((s, t) => s + t.logprob, 0) / tokens.length;
    expect(scored!.meanNll).toBeCloseTo(mean, 10);
    expect(scored!.clippedMeanNll).toBeGreaterThanOrEqual(0);
    expect(scored!.clippedMeanNll).toBeLessThanOrEqual(2);
  });

  it('finds a natural sentence more likely than the same words shuffled', async () => {
    const prompt = 'Here is a simple English sentence: ';
    const [natural, shuffled] = await backend.score(
      [
        { prompt, continuation: 'The cat sat on the mat.' },
        { prompt, continuation: 'Mat the on sat cat the.' },
      ],
      never,
    );
    expect(natural!.meanNll).toBeLessThan(shuffled!.meanNll);
    expect(natural!.clippedMeanNll).toBeLessThan(shuffled!.clippedMeanNll);
  });

  it('aligns tokens of emoji and CJK text', async () => {
    const continuation = 'Ship it 🚀 — 日本語も大丈夫。';
    const [scored] = await backend.score([{ prompt: 'Post: ', continuation }], never);
    expect(scored!.tokens.map((t) => continuation.slice(t.start, t.end)).join('')).toBe(continuation);
    expect(scored!.tokens.every((t) => Number.isFinite(t.logprob) && t.logprob <= 0)).toBe(true);
  });

  it('gives the same results for concurrent requests as one at a time', async () => {
    const chats = [
      { messages: ask('Write a short tweet about coffee.'), maxTokens: 16, temperature: 0.7, seed: 3 },
      { messages: ask('Write a short tweet about rain.'), maxTokens: 16, temperature: 0.7, seed: 4 },
      { messages: ask('Write a short tweet about books.'), maxTokens: 16, temperature: 0, seed: 5 },
    ];
    const scores: ScoreRequest[] = [
      { prompt: 'A post: ', continuation: 'Shipped the new release today, thanks to everyone who helped!' },
      { prompt: 'A post: ', continuation: 'Rainy Sunday, good book, hot tea.' },
    ];
    const sequential = [];
    for (const c of chats) sequential.push((await backend.chat(c, never)).text);
    const sequentialScores = [];
    for (const s of scores) sequentialScores.push(...(await backend.score([s], never)));

    // Several rounds with different chat lengths so scoring overlaps generation at different
    // points: node-llama-cpp's probabilities are wrong when another sequence shares the batch.
    for (let round = 0; round < 4; round++) {
      const roundChats = round === 0 ? chats : chats.map((c) => ({ ...c, maxTokens: 6 + 3 * round }));
      const expectedChats = round === 0 ? sequential : [];
      if (round > 0) for (const c of roundChats) expectedChats.push((await backend.chat(c, never)).text);
      const [concurrentChats, concurrentScores] = await Promise.all([
        Promise.all(roundChats.map((c) => backend.chat(c, never))),
        backend.score(scores, never),
      ]);
      expect(concurrentChats.map((r) => r.text)).toEqual(expectedChats);
      for (let i = 0; i < scores.length; i++) {
        const a = sequentialScores[i]!.tokens;
        const b = concurrentScores[i]!.tokens;
        expect(b.map((t) => [t.token, t.start, t.end])).toEqual(a.map((t) => [t.token, t.start, t.end]));
        for (let k = 0; k < a.length; k++) expect(Math.abs(a[k]!.logprob - b[k]!.logprob), `round ${round}, score ${i}, token ${k}`).toBeLessThan(2e-3);
      }
    }
  });

  it('reports where the model runs as its health check', async () => {
    expect(await backend.health(never)).toMatch(/\.gguf on \S+, 1 thread\(s\), \d+ tokens × 2 sequences/);
  });

  it('stops with E_ABORTED when the caller cancels', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await backend.chat({ messages: ask('Hello'), maxTokens: 8 }, controller.signal).catch((e: unknown) => e);
    expect(isReerError(error, 'E_ABORTED')).toBe(true);
  });
});

describe('llama.cpp backend model references', () => {
  it('names the command to run when a catalog model is not cached', async () => {
    const missing = createLlamaBackend('smollm2-360m-instruct', { env: { REER_MODEL_CACHE: '/nonexistent-reer-cache' }, logger: silentLogger, settings: {} });
    const error = await missing.chat({ messages: ask('hi') }, never).catch((e: unknown) => e);
    expect(isReerError(error, 'E_MODEL_NOT_FOUND')).toBe(true);
    expect(isReerError(error) && error.hint).toContain('social-run models pull smollm2-360m-instruct');
  });

  it('rejects invalid settings with the field name', () => {
    expect(() => createLlamaBackend('x', { env: {}, logger: silentLogger, settings: { sequences: 0 } })).toThrow(/providers\.llama\.sequences/);
  });
});
