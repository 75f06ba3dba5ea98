import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ax } from '@ax-llm/ax';
import { createRegistry, type LmRegistry } from './index.ts';
import { fakeProvidersConfig, startFakeOpenAIServer, type FakeServer } from './testing/index.ts';

describe('createAxService', () => {
  let server: FakeServer;
  let registry: LmRegistry;

  beforeEach(async () => {
    server = await startFakeOpenAIServer({ defaultText: 'Post Text: Shipping beats polishing.' });
    registry = createRegistry({ config: fakeProvidersConfig(server), env: {} });
  });

  afterEach(async () => {
    await registry.close();
    await server.close();
  });

  it('runs an Ax program through the registry (limits, retries and usage apply)', async () => {
    // First answer is a 500: the registry retries it, Ax never sees it.
    server.setHandler((req) => (req.index === 0 ? { status: 500 } : undefined));
    const program = ax('topicBrief:string -> postText:string');
    const lm = registry.resolve('dspy::fake/fake-model');
    const out = await program.forward(lm.axService(), { topicBrief: 'why small releases win' }, { maxRetries: 0, stream: false });
    expect(out.postText).toBe('Shipping beats polishing.');
    expect(server.requests).toHaveLength(2);
    const body = server.requests[1]?.body as { messages: { role: string; content: string }[] };
    expect(body.messages.some((m) => m.content.includes('why small releases win'))).toBe(true);
    const [usage] = registry.usage();
    expect(usage).toMatchObject({ provider: 'fake', model: 'fake-model', calls: 1, retries: 1, failures: 0 });
    expect(usage?.inputTokens).toBeGreaterThan(0);
  });

  it('streams through the LM when Ax asks for a stream', async () => {
    const program = ax('topicBrief:string -> postText:string');
    const lm = registry.resolve('dspy::fake/fake-model');
    const out = await program.forward(lm.axService(), { topicBrief: 'streaming' }, { maxRetries: 0, stream: true });
    expect(out.postText).toBe('Shipping beats polishing.');
    expect(server.requests[0]?.body).toMatchObject({ stream: true });
  });

  it('passes the temperature and max tokens Ax sets', async () => {
    const program = ax('topicBrief:string -> postText:string');
    const lm = registry.resolve('dspy::fake/fake-model');
    await program.forward(lm.axService(), { topicBrief: 'x' }, { maxRetries: 0, stream: false, modelConfig: { temperature: 0.9, maxTokens: 77 } });
    expect(server.requests[0]?.body).toMatchObject({ temperature: 0.9, max_tokens: 77 });
  });
});
