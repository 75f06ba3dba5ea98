import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, isReerError, loadConfig, type LoadedConfig, type Logger } from '@reer/core';
import { createRegistry, usageOfResults, type LmRegistry } from './index.ts';
import { fakeProvidersConfig, startFakeOpenAIServer, type FakeServer } from './testing/index.ts';

const OPENAI_KEY = 'sk-test-openai-abcdef123456';
const ANTHROPIC_KEY = 'sk-ant-test-abcdef654321';
const TOGETHER_KEY = 'tgp-test-abcdef999999';

/** The shipped defaults with fast retries, so tests exercise the real provider entries. */
function defaultsWith(overrides: Record<string, unknown> = {}): LoadedConfig {
  const base = loadConfig();
  const providers = base.raw.providers as Record<string, unknown>;
  return {
    files: base.files,
    raw: {
      ...base.raw,
      providers: {
        ...providers,
        retry: { retries: 3, min_delay_ms: 1, max_delay_ms: 10, max_retry_time_ms: 20_000, max_rate_limit_wait_ms: 5_000 },
        ...overrides,
      },
    },
  };
}

function captureLogger(options: { secrets?: string[] } = {}): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', pretty: false, destination, secrets: options.secrets ?? [] });
  return { logger, lines: () => chunks.join('').split('\n').filter((l) => l.length > 0) };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; hint?: string };
  }
  throw new Error('expected a rejection');
}

describe('registry against fake provider servers', () => {
  let server: FakeServer;
  let registry: LmRegistry | undefined;

  beforeEach(async () => {
    server = await startFakeOpenAIServer({ defaultText: 'hello from fake' });
  });

  afterEach(async () => {
    await registry?.close();
    registry = undefined;
    await server.close();
  });

  const openaiEnv = () => ({ OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: server.url });

  it('answers a chat through the OpenAI entry (key and base URL from env) and accounts usage and cost', async () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    const lm = registry.resolve('dspy::openai/gpt-4o-mini');
    const result = await lm.chat({ messages: [{ role: 'user', content: 'say hi' }], maxTokens: 20 });
    expect(result).toMatchObject({ text: 'hello from fake', finishReason: 'stop', lm: 'dspy::openai/gpt-4o-mini', attempts: 1 });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(server.requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 20 });
    const expectedCost = (result.usage.inputTokens * 0.15 + result.usage.outputTokens * 0.6) / 1e6;
    expect(result.costUsd).toBeCloseTo(expectedCost, 12);
    expect(registry.usage()).toEqual([
      { provider: 'openai', model: 'gpt-4o-mini', calls: 1, retries: 0, failures: 0, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, costUsd: result.costUsd },
    ]);
    expect(usageOfResults([result])).toMatchObject({ calls: 1, retries: 0, cost_usd: result.costUsd });
  });

  it('defaultLm is the primary when its key is present, null otherwise', () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    expect(registry.defaultLm()?.uri).toBe('dspy::openai/gpt-4o-mini');
    expect(registry.fallbackChain()).toEqual(['dspy::openai/gpt-4o-mini']);
    const offline = createRegistry({ config: defaultsWith(), env: {} });
    expect(offline.defaultLm()).toBeNull();
    expect(offline.fallbackChain()).toEqual([]);
  });

  it('waits as Retry-After says on 429, then succeeds; the server saw two attempts', async () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    server.setHandler((req) => (req.index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : undefined));
    const result = await registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'user', content: 'x' }] });
    expect(result.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    const gap = (server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(registry.usage()[0]).toMatchObject({ calls: 1, retries: 1, failures: 0 });
  });

  it('honours x-ratelimit-reset-requests when the request budget is exhausted', async () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    server.setHandler((req) =>
      req.index === 0 ? { status: 429, headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '300ms', 'x-ratelimit-reset-tokens': '5ms' } } : undefined,
    );
    await registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'user', content: 'x' }] });
    const gap = (server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(290);
  });

  it('retries 500s and gives up after the configured retries with a provider error', async () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    server.setHandler((req) => (req.index < 2 ? { status: 500 } : undefined));
    const ok = await registry.resolve('dspy::openai/gpt-4o-mini', { fallback: false }).chat({ messages: [{ role: 'user', content: 'x' }] });
    expect(ok.attempts).toBe(3);

    server.reset();
    server.setHandler(() => ({ status: 503 }));
    const error = await rejection(registry.resolve('dspy::openai/gpt-4o-mini', { fallback: false }).chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(error.code).toBe('E_PROVIDER');
    expect(error.message).toContain('HTTP 503');
    expect(server.requests).toHaveLength(4);
    expect(registry.usage()[0]).toMatchObject({ calls: 2, retries: 5, failures: 1 });
  });

  it('times out a hanging response, retries it, then fails with E_TIMEOUT', async () => {
    registry = createRegistry({ config: defaultsWith({ timeout_ms: 150, retry: { retries: 1, min_delay_ms: 1, max_delay_ms: 1 } }), env: openaiEnv() });
    server.setHandler(() => ({ hang: true }));
    const error = await rejection(registry.resolve('dspy::openai/gpt-4o-mini', { fallback: false }).chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(error.code).toBe('E_TIMEOUT');
    expect(error.message).toContain('150 ms');
    expect(server.requests).toHaveLength(2);
  });

  it('stops at once when the caller aborts', async () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    const controller = new AbortController();
    server.setHandler(() => {
      controller.abort();
      return { hang: true };
    });
    const call = registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'user', content: 'x' }], signal: controller.signal });
    const error = await rejection(call);
    expect(error.code).toBe('E_ABORTED');
    expect(server.requests).toHaveLength(1);
  });

  it('reports malformed JSON clearly after retrying it', async () => {
    registry = createRegistry({ config: defaultsWith({ retry: { retries: 1, min_delay_ms: 1, max_delay_ms: 1 } }), env: openaiEnv() });
    server.setHandler(() => ({ raw: '{"choices": [ this is not json' }));
    const error = await rejection(registry.resolve('dspy::openai/gpt-4o-mini', { fallback: false }).chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(error.code).toBe('E_PROVIDER');
    expect(error.message).toMatch(/malformed response/);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 401, names the key variable, and never shows the key', async () => {
    const { logger, lines } = captureLogger();
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv(), logger });
    server.setHandler(() => ({ status: 401, text: `Incorrect API key provided: ${OPENAI_KEY}` }));
    const error = await rejection(registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'user', content: 'x' }] }));
    expect(error.code).toBe('E_PROVIDER_AUTH');
    expect(error.hint).toContain('OPENAI_API_KEY');
    expect(error.message).not.toContain(OPENAI_KEY);
    expect(server.requests).toHaveLength(1);
    expect(lines().some((l) => l.includes('"outcome":"error"'))).toBe(true);
    expect(lines().join('\n')).not.toContain(OPENAI_KEY);
  });

  it('falls back to the next provider after the primary fails for good, and logs it', async () => {
    const second = await startFakeOpenAIServer({ defaultText: 'from anthropic' });
    try {
      const { logger, lines } = captureLogger();
      registry = createRegistry({
        config: defaultsWith({ retry: { retries: 1, min_delay_ms: 1, max_delay_ms: 1 } }),
        env: { ...openaiEnv(), ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: second.origin },
        logger,
      });
      server.setHandler(() => ({ status: 503 }));
      const result = await registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'x' }] });
      expect(result.text).toBe('from anthropic');
      expect(result.lm).toBe('dspy::anthropic/claude-3-haiku');
      expect(result.attempts).toBe(3);
      expect(server.requests).toHaveLength(2);
      expect(second.requests[0]?.path).toBe('/v1/messages');
      // @anthropic-ai/sdk 1.x sends the API key as a bearer token.
      expect(second.requests[0]?.headers.authorization).toBe(`Bearer ${ANTHROPIC_KEY}`);
      expect(second.requests[0]?.body).toMatchObject({ model: 'claude-3-haiku-20240307', system: 'be brief' });
      const fallbackLine = lines().find((l) => l.includes('falling back'));
      expect(fallbackLine).toContain('dspy::anthropic/claude-3-haiku');
      expect(registry.usage().map((u) => [u.provider, u.calls, u.failures])).toEqual([
        ['anthropic', 1, 0],
        ['openai', 1, 1],
      ]);
      expect(lines().join('\n')).not.toContain(ANTHROPIC_KEY);
    } finally {
      await second.close();
    }
  });

  it('moves to the fallback at once when a 429 asks to wait longer than allowed', async () => {
    const second = await startFakeOpenAIServer({ defaultText: 'from together' });
    try {
      registry = createRegistry({
        config: defaultsWith({ fallback: ['dspy::together_ai/meta-llama-3.1-8b-instruct'] }),
        env: { ...openaiEnv(), TOGETHER_API_KEY: TOGETHER_KEY, TOGETHER_BASE_URL: second.url },
      });
      server.setHandler(() => ({ status: 429, headers: { 'retry-after': '600' } }));
      const result = await registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'user', content: 'x' }] });
      expect(result.text).toBe('from together');
      expect(server.requests).toHaveLength(1);
      expect(second.requests[0]?.body).toMatchObject({ model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo' });
    } finally {
      await second.close();
    }
  });

  it('keeps the measured request rate of a 50-call burst within 60 rpm', async () => {
    // A 6 s window stands in for the minute (60 per 6 s): the same arithmetic, 10x faster.
    const windowMs = 6_000;
    registry = createRegistry({
      config: fakeProvidersConfig(server, { fake: { rate_limits: { rpm: 60, concurrency: 50 } } }),
      env: {},
      limitWindowMs: windowMs,
    });
    const lm = registry.resolve('dspy::fake/fake-model');
    // One call first, so the SDK's first-use setup does not delay the burst's first request.
    await lm.chat({ messages: [{ role: 'user', content: 'warm up' }] });
    server.reset();
    await Promise.all(Array.from({ length: 50 }, (_, i) => lm.chat({ messages: [{ role: 'user', content: `call ${i}` }] })));
    const times = server.requests.map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(50);
    // Measured at the server: no window of the limit's length holds more than 60 requests, and no
    // half of it more than half the limit (30), plus one request the limiter may start early after
    // a stall, plus two for delivery jitter on a busy machine. Without the limiter all 50 arrive
    // within a few milliseconds.
    const most = (span: number) => Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + span).length));
    expect(most(windowMs)).toBeLessThanOrEqual(60);
    expect(most(windowMs / 2)).toBeLessThanOrEqual(30 + 3);
    // Over the burst the measured rate is within the limit: the limiter's schedule puts k intervals
    // of (window + one early start) / 60 between k + 1 starts, less the early start. The first few
    // requests are skipped (they leave late while the other calls are being set up); half an
    // interval is allowed for jitter.
    const interval = (windowMs + windowMs / 60) / 60;
    expect((times.at(-1) ?? 0) - (times[5] ?? 0)).toBeGreaterThanOrEqual(44 * interval - windowMs / 60 - interval / 2);
  });

  it('caps concurrency at the configured maximum', async () => {
    registry = createRegistry({ config: fakeProvidersConfig(server, { fake: { rate_limits: { rpm: 1_000_000, concurrency: 3 } } }), env: {} });
    let inFlight = 0;
    let peak = 0;
    server.setHandler(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return undefined;
    });
    const lm = registry.resolve('dspy::fake/fake-model');
    await Promise.all(Array.from({ length: 12 }, () => lm.chat({ messages: [{ role: 'user', content: 'x' }] })));
    expect(peak).toBe(3);
  });

  it('holds a tokens-per-minute budget', async () => {
    registry = createRegistry({
      config: fakeProvidersConfig(server, { fake: { rate_limits: { rpm: 1_000_000, tpm: 100, concurrency: 8 } } }),
      env: {},
      limitWindowMs: 300,
    });
    const lm = registry.resolve('dspy::fake/fake-model');
    // Each call reserves ~60 tokens (prompt estimate + maxTokens), so the second must wait a window.
    await Promise.all([0, 1].map(() => lm.chat({ messages: [{ role: 'user', content: 'x' }], maxTokens: 60 })));
    const gap = (server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(250);
  });

  it('scores a continuation from echo logprobs (OpenAI format)', async () => {
    registry = createRegistry({ config: fakeProvidersConfig(server), env: {} });
    const [result] = await registry.resolve('dspy::fake/fake-model').score([{ prompt: 'Write a post:', continuation: ' Ship small, ship often.' }]);
    expect(server.requests[0]?.path).toBe('/v1/completions');
    expect(server.requests[0]?.body).toMatchObject({ echo: true, logprobs: 1, prompt: 'Write a post: Ship small, ship often.' });
    expect(result?.tokens.map((t) => t.token)).toEqual([' Ship', ' small,', ' ship', ' often.']);
    expect(result?.tokens[0]?.start).toBe(0);
    expect(result?.tokens.at(-1)?.end).toBe(' Ship small, ship often.'.length);
    const mean = -(result?.tokens.reduce((s, t) => s + t.logprob, 0) ?? 0) / 4;
    expect(result?.meanNll).toBeCloseTo(mean, 10);
  });

  it.each(['together', 'vllm'] as const)('scores from %s-format logprobs', async (format) => {
    const other = await startFakeOpenAIServer({ logprobsFormat: format, tokenLogprob: () => -0.5 });
    try {
      registry = createRegistry({ config: fakeProvidersConfig(other, { fake: { score: format === 'vllm' ? 'prompt_logprobs' : 'echo' } }), env: {} });
      const [result] = await registry.resolve('dspy::fake/fake-model').score([{ prompt: 'A', continuation: ' b c' }]);
      expect(result?.tokens).toEqual([
        { token: ' b', logprob: -0.5, start: 0, end: 2 },
        { token: ' c', logprob: -0.5, start: 2, end: 4 },
      ]);
      expect(result?.clippedMeanNll).toBeCloseTo(0.5, 10);
    } finally {
      await other.close();
    }
  });

  it('scores on Together through its own entry', async () => {
    const together = await startFakeOpenAIServer({ logprobsFormat: 'together', tokenLogprob: () => -3 });
    try {
      registry = createRegistry({ config: defaultsWith(), env: { TOGETHER_API_KEY: TOGETHER_KEY, TOGETHER_BASE_URL: together.url } });
      const lm = registry.resolve('dspy::together_ai/meta-llama-3.1-8b-instruct');
      expect(lm.capabilities.score).toBe(true);
      const [result] = await lm.score([{ prompt: 'x', continuation: ' y' }]);
      expect(result?.clippedMeanNll).toBe(2);
      expect(together.requests[0]?.headers.authorization).toBe(`Bearer ${TOGETHER_KEY}`);
    } finally {
      await together.close();
    }
  });

  it('refuses to score on OpenAI chat models and Anthropic, naming providers that can', async () => {
    registry = createRegistry({ config: defaultsWith(), env: { ...openaiEnv(), ANTHROPIC_API_KEY: ANTHROPIC_KEY } });
    for (const uri of ['dspy::openai/gpt-4o-mini', 'dspy::anthropic/claude-3-haiku']) {
      const lm = registry.resolve(uri);
      expect(lm.capabilities.score).toBe(false);
      const error = await rejection(lm.score([{ prompt: 'a', continuation: 'b' }]));
      expect(error.code).toBe('E_CAPABILITY');
      expect(error.hint).toContain('mlx');
      expect(error.hint).toContain('llama');
      expect(error.hint).toContain('together (needs TOGETHER_API_KEY)');
    }
    expect(server.requests).toHaveLength(0);
  });

  it('streams OpenAI and Anthropic responses', async () => {
    registry = createRegistry({ config: defaultsWith(), env: { ...openaiEnv(), ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: server.origin } });
    for (const uri of ['dspy::openai/gpt-4o-mini', 'dspy::anthropic/claude-3-haiku']) {
      const deltas: string[] = [];
      let done: unknown;
      for await (const event of registry.resolve(uri).stream({ messages: [{ role: 'user', content: 'x' }] })) {
        if (event.type === 'delta') deltas.push(event.text);
        else done = event.result;
      }
      expect(deltas.join('')).toBe('hello from fake');
      expect(deltas.length).toBeGreaterThan(1);
      expect(done).toMatchObject({ text: 'hello from fake', finishReason: 'stop' });
    }
    expect(registry.usage().map((u) => [u.provider, u.calls])).toEqual([
      ['anthropic', 1],
      ['openai', 1],
    ]);
  });

  it('releases the slot and counts the call when a stream consumer stops early', async () => {
    registry = createRegistry({ config: fakeProvidersConfig(server, { fake: { rate_limits: { rpm: 1_000_000, concurrency: 1 } } }), env: {} });
    const lm = registry.resolve('dspy::fake/fake-model');
    for await (const event of lm.stream({ messages: [{ role: 'user', content: 'x' }] })) {
      expect(event.type).toBe('delta');
      break;
    }
    // With one slot, this only completes if the abandoned stream gave its slot back.
    const result = await lm.chat({ messages: [{ role: 'user', content: 'y' }], timeoutMs: 2_000 });
    expect(result.text).toBe('hello from fake');
    expect(registry.usage()[0]).toMatchObject({ calls: 2, failures: 0 });
  });

  it('rejects a URI whose provider has no key, naming the variable', () => {
    registry = createRegistry({ config: defaultsWith(), env: {} });
    expect(() => registry?.resolve('dspy::anthropic/claude-3-haiku')).toThrow(expect.objectContaining({ code: 'E_PROVIDER_AUTH', hint: expect.stringContaining('ANTHROPIC_API_KEY') }));
  });

  it('lists providers with capabilities and runs live health checks', async () => {
    registry = createRegistry({ config: defaultsWith(), env: openaiEnv() });
    const openai = registry.providers().find((p) => p.name === 'openai');
    expect(openai).toMatchObject({ hasCredential: true, primary: true, baseUrl: server.url, capabilities: { score: false, chat: true } });
    expect(JSON.stringify(registry.providers())).not.toContain(OPENAI_KEY);
    const ok = await registry.check('openai');
    expect(ok).toMatchObject({ provider: 'openai', ok: true });
    expect(server.requests[0]?.path).toBe('/v1/models');
    server.setHandler(() => ({ status: 401 }));
    expect(await registry.check('openai')).toMatchObject({ ok: false, code: 'E_PROVIDER_AUTH' });
    expect(await registry.check('anthropic')).toMatchObject({ ok: false, skipped: true, code: 'E_PROVIDER_AUTH' });
    expect(await registry.check('llama')).toMatchObject({ ok: false, skipped: true });
  });

  it('never writes a key into any log line, even with a logger that knows no secrets', async () => {
    const { logger, lines } = captureLogger();
    registry = createRegistry({ config: defaultsWith({ log_calls: 'info' }), env: openaiEnv(), logger });
    server.setHandler((req) => (req.index === 0 ? { status: 500, text: `upstream said Bearer ${OPENAI_KEY}` } : undefined));
    await registry.resolve('dspy::openai/gpt-4o-mini').chat({ messages: [{ role: 'user', content: 'x' }] });
    const all = lines();
    expect(all.some((l) => l.includes('"outcome":"ok"') && l.includes('"latencyMs"') && l.includes('"inputTokens"'))).toBe(true);
    expect(all.some((l) => l.includes('retrying'))).toBe(true);
    expect(all.join('\n')).not.toContain(OPENAI_KEY);
  });

  it('rejects invalid provider config with the field named', () => {
    const config = defaultsWith({ entries: { broken: { kind: 'openai', supported_models: [], rate_limits: { rpm: -1, concurrency: 1 } } } });
    let caught: unknown;
    try {
      createRegistry({ config, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(isReerError(caught, 'E_CONFIG')).toBe(true);
    expect((caught as Error).message).toContain('providers.entries.broken.rate_limits.rpm');
  });
});
