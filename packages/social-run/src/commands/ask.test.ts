import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaptured } from '@reer/cli-kit/testing';
import { fakeProvidersConfig, startFakeOpenAIServer, type FakeServer } from '@reer/lm-registry/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program.ts';

const cli = (args: string[]) => runCaptured(buildProgram(), args);

describe('social-run ask and providers against a fake OpenAI-compatible server', () => {
  let server: FakeServer;
  let dir: string;
  let base: string[];

  beforeEach(async () => {
    // Real keys in the developer's environment must not send these tests to the internet.
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'TOGETHER_API_KEY', 'REER_CONFIG']) vi.stubEnv(name, '');
    server = await startFakeOpenAIServer({ defaultText: 'Ship small, ship often.' });
    dir = mkdtempSync(join(tmpdir(), 'social-run-ask-'));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, JSON.stringify({ ...fakeProvidersConfig(server, { fallback: [] }).raw, logging: { level: 'error' } }));
    base = ['--data-dir', join(dir, 'data'), '--config', configFile, '--log-level', 'error'];
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ask prints the answer and sends the system message, temperature and max tokens', async () => {
    const { code, stdout, stderr } = await cli([...base, 'ask', '--lm', 'dspy::fake/fake-model', '--system', 'Be terse.', '--temperature', '0.2', '--max-tokens', '40', 'Write a hook']);
    expect(code).toBe(0);
    expect(stdout).toBe('Ship small, ship often.\n');
    expect(stderr).toContain('dspy::fake/fake-model');
    expect(server.requests[0]?.body).toMatchObject({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Write a hook' },
      ],
      temperature: 0.2,
      max_tokens: 40,
    });
  });

  it('ask --json prints the result with usage; the primary is used without --lm', async () => {
    const { code, stdout } = await cli([...base, 'ask', '--json', 'hi']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { text: string; lm: string; attempts: number; usage: { provider: string; calls: number }[] };
    expect(result).toMatchObject({ text: 'Ship small, ship often.', lm: 'dspy::fake/fake-model', attempts: 1 });
    expect(result.usage).toEqual([expect.objectContaining({ provider: 'fake', calls: 1 })]);
  });

  it('ask rejects a bad URI and a bad option value with exit code 2', async () => {
    const badUri = await cli([...base, 'ask', '--lm', 'dspy::nowhere/x', 'hi']);
    expect(badUri.code).toBe(2);
    expect(badUri.stderr).toContain('E_PROVIDER_URI');
    const badTemp = await cli([...base, 'ask', '--lm', 'dspy::fake/fake-model', '--temperature', 'hot', 'hi']);
    expect(badTemp.code).toBe(2);
    expect(server.requests).toHaveLength(0);
  });

  it('ask exits 1 with the provider error when the provider keeps failing', async () => {
    server.setHandler(() => ({ status: 500 }));
    const { code, stderr } = await cli([...base, 'ask', '--lm', 'dspy::fake/fake-model', 'hi']);
    expect(code).toBe(1);
    expect(stderr).toContain('E_PROVIDER');
    expect(server.requests).toHaveLength(3);
  });

  it('providers lists providers, models and capabilities', async () => {
    const { code, stdout } = await cli([...base, 'providers']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/fake\s+openai-compatible\s+primary/);
    expect(stdout).toContain('OPENAI_API_KEY missing');
    expect(stdout).toContain('Default LM chain: dspy::fake/fake-model');
  });

  it('providers --check --json calls each provider; a failing primary exits 1', async () => {
    const ok = await cli([...base, 'providers', '--check', '--json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { providers: { name: string; check: { ok: boolean; skipped: boolean } }[] };
    expect(report.providers.find((p) => p.name === 'fake')?.check).toMatchObject({ ok: true, skipped: false });
    expect(report.providers.find((p) => p.name === 'openai')?.check).toMatchObject({ ok: false, skipped: true });
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/models']);

    server.setHandler(() => ({ status: 503 }));
    const failed = await cli([...base, 'providers', '--check']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAILED');
  });
});
