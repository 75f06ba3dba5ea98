import { describe, expect, it } from 'vitest';
import { isReerError, loadConfig } from '@reer/core';
import { loadProvidersSettings } from './provider-config.ts';
import { parseLmUri } from './lm-uri.ts';

const settings = loadProvidersSettings(loadConfig());

describe('parseLmUri', () => {
  it.each([
    ['dspy::openai/gpt-4o-mini', { scheme: 'dspy', provider: 'openai', model: 'gpt-4o-mini' }],
    ['dspy::anthropic/claude-3-haiku', { scheme: 'dspy', provider: 'anthropic', model: 'claude-3-haiku' }],
    ['dspy::together_ai/meta-llama-3.1-8b-instruct', { scheme: 'dspy', provider: 'together_ai', model: 'meta-llama-3.1-8b-instruct' }],
    ['dspy::local/Qwen/Qwen2.5-0.5B-Instruct', { scheme: 'dspy', provider: 'local', model: 'Qwen/Qwen2.5-0.5B-Instruct' }],
    ['mlx::mlx-community/Qwen2.5-0.5B-Instruct-4bit', { scheme: 'mlx', provider: 'mlx', model: 'mlx-community/Qwen2.5-0.5B-Instruct-4bit' }],
    ['mlx::/models/my-model', { scheme: 'mlx', provider: 'mlx', model: '/models/my-model' }],
    ['llama::smollm2-135m-instruct', { scheme: 'llama', provider: 'llama', model: 'smollm2-135m-instruct' }],
    ['llama::./models/tiny.gguf', { scheme: 'llama', provider: 'llama', model: './models/tiny.gguf' }],
  ])('accepts %s', (uri, expected) => {
    expect(parseLmUri(uri, settings)).toEqual({ uri, ...expected });
  });

  it.each([
    ['gpt-4o-mini', 'missing "<scheme>::"'],
    ['openai::gpt-4o-mini', 'unknown scheme "openai"'],
    ['dspy::gpt-4o-mini', 'dspy:: URIs are dspy::<provider>/<model>'],
    ['dspy::openai/', 'dspy:: URIs are dspy::<provider>/<model>'],
    ['mlx::', 'no model after "::"'],
    ['dspy::mistral/mistral-large', 'unknown provider "mistral" (configured: openai, anthropic, together, together_ai, local)'],
    ['dspy::openai/gpt-3', 'provider "openai" does not list model "gpt-3"'],
    ['dspy::mlx/some-model', 'unknown provider "mlx"'],
  ])('rejects %s with one line saying what is accepted', (uri, problem) => {
    let caught: unknown;
    try {
      parseLmUri(uri, settings);
    } catch (error) {
      caught = error;
    }
    expect(isReerError(caught, 'E_PROVIDER_URI')).toBe(true);
    const error = caught as Error & { hint?: string };
    expect(error.message).toContain(problem);
    expect(error.message).not.toContain('\n');
    expect(error.hint).toBeTruthy();
  });

  it('lists the accepted forms in the hint for a malformed URI', () => {
    expect(() => parseLmUri('nonsense')).toThrow(expect.objectContaining({ hint: expect.stringContaining('dspy::<provider>/<model>') }));
  });
});
