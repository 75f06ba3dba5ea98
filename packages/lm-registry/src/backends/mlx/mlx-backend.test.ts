import { ax } from '@ax-llm/ax';
import { isReerError } from '@reer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxService } from '../../ax-service.ts';
import { createRegistry, type LmRegistry } from '../../registry.ts';
import { summarizeLogprobs } from '../../score-summary.ts';
import type { ChatRequest, StreamEvent } from '../../types.ts';
import { backendOptions, bridgePython, buildTestModel } from './_test-support.ts';
import { type MlxBackend, createMlxBackend } from './mlx-backend.ts';

// Integration tests: they spawn the real bridge (mlx-bridge/.venv, `pnpm bridge:setup`) on random
// models built offline. A missing venv fails them with that hint; it never skips them.
let tinyModel = '';
let backend: MlxBackend;
const signal = new AbortController().signal;

const CHAT: ChatRequest = {
  messages: [
    { role: 'system', content: 'You write posts.' },
    { role: 'user', content: 'Announce the release.' },
  ],
  maxTokens: 16,
  temperature: 1,
  seed: 42,
};

beforeAll(() => {
  bridgePython();
  tinyModel = buildTestModel('tiny');
  backend = createMlxBackend(tinyModel, backendOptions()) as MlxBackend;
});

afterAll(async () => {
  await backend?.close();
});

describe('mlx backend on the tiny random model', () => {
  it('generates with chat templates, seeds and token counts', async () => {
    const a = await backend.chat(CHAT, signal);
    const b = await backend.chat(CHAT, signal);
    expect(a.text.length).toBeGreaterThan(0);
    expect(b.text).toBe(a.text);
    expect(a.usage.outputTokens).toBeLessThanOrEqual(16);
    expect(a.usage.inputTokens).toBeGreaterThan(10);
    expect(['length', 'stop']).toContain(a.finishReason);
    const other = await backend.chat({ ...CHAT, seed: 43 }, signal);
    expect(other.text).not.toBe(a.text);
    expect(backend.bridgeInfo?.device).toBe('cpu');
    expect(backend.modelInfo?.parameters).toBe(106_816);
  });

  it('streams deltas that add up to the same text as a plain call', async () => {
    const events: StreamEvent[] = [];
    for await (const event of backend.streamChat(CHAT, signal)) events.push(event);
    const last = events.at(-1);
    if (last?.type !== 'done') throw new Error('the stream did not end with done');
    const deltas = events.slice(0, -1).map((e) => (e.type === 'delta' ? e.text : ''));
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join('')).toBe(last.result.text);
    expect(last.result.text).toBe((await backend.chat(CHAT, signal)).text);
  });

  it('stops at a stop string', async () => {
    const full = (await backend.chat({ ...CHAT, maxTokens: 40 }, signal)).text;
    const stop = full.slice(6, 9);
    const cut = await backend.chat({ ...CHAT, maxTokens: 40, stop: [stop] }, signal);
    expect(cut.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(cut.finishReason).toBe('stop');
  });

  it('scores continuations with spans in UTF-16 units that tile them exactly', async () => {
    const requests = [
      { prompt: 'Write a post.\n', continuation: '<think>\nplan\n</think>\n<answer>\nShip it 🎉 café\n</answer>' },
      { prompt: 'Hello wor', continuation: 'ld 東京' },
      { prompt: 'x', continuation: 'y' },
    ];
    const batch = await backend.score(requests, signal);
    expect(batch).toHaveLength(3);
    for (const [i, result] of batch.entries()) {
      const continuation = requests[i]?.continuation ?? '';
      expect(result.tokens[0]?.start).toBe(0);
      expect(result.tokens.at(-1)?.end).toBe(continuation.length);
      expect(result.tokens.map((t) => t.token).join('')).toBe(continuation);
      for (const t of result.tokens) expect(continuation.slice(t.start, t.end)).toBe(t.token);
      const summary = summarizeLogprobs(result.tokens);
      expect(result.meanNll).toBeCloseTo(summary.meanNll, 5);
      expect(result.clippedMeanNll).toBeCloseTo(summary.clippedMeanNll, 5);
      expect(result.clippedMeanNll).toBeGreaterThanOrEqual(0);
      expect(result.clippedMeanNll).toBeLessThanOrEqual(2);
      const [single] = await backend.score([requests[i]!], signal);
      expect(single?.tokens.map((t) => t.logprob)).toEqual(result.tokens.map((t) => expect.closeTo(t.logprob, 4)));
    }
  });

  it('maps bridge errors to ReerErrors with hints', async () => {
    const error = await backend.score([{ prompt: 'x', continuation: '' }], signal).catch((e: unknown) => e);
    expect(isReerError(error, 'E_USAGE')).toBe(true);
    const missing = createMlxBackend('/nonexistent/model-dir', backendOptions());
    const notFound = await missing.chat(CHAT, signal).catch((e: unknown) => e);
    expect(isReerError(notFound, 'E_MODEL_NOT_FOUND')).toBe(true);
    await missing.close?.();
  });

  it('reports health from the running bridge', async () => {
    const detail = await backend.health(signal);
    expect(detail).toMatch(/mlx-bridge .* \(mlx [\d.]+, cpu\) serving .*tiny-model \(106816 parameters\)/);
  });

  it('cancels a generation through the abort signal', async () => {
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    const run = (async () => {
      for await (const event of backend.streamChat({ ...CHAT, temperature: 0, maxTokens: 20_000 }, controller.signal)) {
        events.push(event);
        if (events.length === 3) controller.abort();
      }
    })();
    const error = await run.catch((e: unknown) => e);
    expect(isReerError(error, 'E_ABORTED')).toBe(true);
    // The bridge stopped that generation and serves the next request.
    expect((await backend.chat({ ...CHAT, maxTokens: 2 }, signal)).usage.outputTokens).toBeLessThanOrEqual(2);
  });
});

describe('mlx through the registry and an Ax program (parrot model)', () => {
  let registry: LmRegistry;
  let parrot = '';

  beforeAll(() => {
    parrot = buildTestModel('parrot');
    registry = createRegistry({
      config: {
        raw: {
          providers: {
            entries: {
              mlx: { kind: 'mlx', auth_method: 'none', supported_models: ['*'], python: bridgePython() },
            },
          },
        },
        files: ['(test)'],
      },
      env: { HF_HUB_OFFLINE: '1' },
    });
  });

  afterAll(async () => {
    await registry?.close();
  });

  it('runs an Ax program on the bridge, streaming and not', async () => {
    const lm = registry.resolve(`mlx::${parrot}`);
    const service = createAxService(lm);
    const program = ax('postTopic:string -> replyText:string');
    const plain = await program.forward(service, { postTopic: 'the 2.0 release' }, { maxRetries: 0, stream: false });
    expect(plain.replyText).toBe('Ship it');
    const streamed = await program.forward(service, { postTopic: 'the 2.0 release' }, { maxRetries: 0, stream: true });
    expect(streamed.replyText).toBe('Ship it');
    const usage = registry.usage().find((u) => u.provider === 'mlx');
    expect(usage?.calls).toBe(2);
    expect(usage?.outputTokens).toBeGreaterThan(0);
  });

  it('streams through the LanguageModel and scores through the registry', async () => {
    const lm = registry.resolve(`mlx::${parrot}`);
    const deltas: string[] = [];
    for await (const event of lm.stream({ messages: [{ role: 'user', content: 'hi' }], temperature: 0 })) {
      if (event.type === 'delta') deltas.push(event.text);
    }
    expect(deltas.join('')).toBe('Reply Text: Ship it');
    const [score] = await lm.score([{ prompt: '<|im_start|>assistant\n', continuation: 'Reply Text: Ship it' }]);
    // The parrot is near-certain of its own reply.
    expect(score?.clippedMeanNll).toBeLessThan(0.01);
  });
});
