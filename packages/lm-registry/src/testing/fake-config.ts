import type { LoadedConfig } from '@reer/core';

export interface FakeProvidersOverrides {
  primary?: string;
  fallback?: string[];
  timeout_ms?: number;
  retry?: Record<string, number>;
  /** Merged over the default `fake` entry. */
  fake?: Record<string, unknown>;
  /** Further provider entries, by name. */
  entries?: Record<string, Record<string, unknown>>;
}

/**
 * A config whose `providers` section points at a fake server: one OpenAI-compatible provider
 * `fake` (no auth, any model, echo scoring, generous limits, fast retries), primary
 * `dspy::fake/fake-model`. Pass it to `createRegistry({ config, env: {} })`.
 */
export function fakeProvidersConfig(server: { url: string }, overrides: FakeProvidersOverrides = {}): LoadedConfig {
  return {
    files: ['<fake providers config>'],
    raw: {
      providers: {
        primary: overrides.primary ?? 'dspy::fake/fake-model',
        fallback: overrides.fallback ?? [],
        timeout_ms: overrides.timeout_ms ?? 5_000,
        retry: { retries: 2, min_delay_ms: 1, max_delay_ms: 5, max_retry_time_ms: 10_000, max_rate_limit_wait_ms: 10_000, ...overrides.retry },
        entries: {
          fake: {
            kind: 'openai-compatible',
            base_url: server.url,
            auth_method: 'none',
            supported_models: ['*'],
            score: 'echo',
            json_schema: true,
            rate_limits: { rpm: 1_000_000, concurrency: 64 },
            ...overrides.fake,
          },
          ...overrides.entries,
        },
      },
    },
  };
}
