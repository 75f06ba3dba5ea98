import { z } from 'zod';
import { ReerError, configSection, type Env, type LoadedConfig } from '@reer/core';

/** How a provider's requests are sent: which backend implementation serves it. */
export const PROVIDER_KINDS = ['openai', 'anthropic', 'together', 'openai-compatible', 'mlx', 'llama'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** How `score` is done on an OpenAI-compatible completions endpoint. */
export const SCORE_METHODS = ['none', 'echo', 'prompt_logprobs'] as const;
export type ScoreMethod = (typeof SCORE_METHODS)[number];

export const RateLimitsSchema = z
  .object({
    /** Requests per minute; requests are spaced evenly so no one-minute window ever holds more. */
    rpm: z.number().positive(),
    /** Tokens (prompt + completion) per minute, where the provider counts them. */
    tpm: z.number().positive().optional(),
    /** Requests in flight at once. */
    concurrency: z.number().int().positive(),
  })
  .strict();
export type RateLimits = z.infer<typeof RateLimitsSchema>;

export const ModelPricingSchema = z
  .object({
    input_per_1m: z.number().nonnegative(),
    output_per_1m: z.number().nonnegative(),
  })
  .strict();
export type ModelPricing = z.infer<typeof ModelPricingSchema>;

/** One provider entry of the `providers.entries` config map (the design's `ProviderConfig`). */
export const ProviderConfigSchema = z
  .object({
    /** Set from the entry's key when absent. */
    name: z.string().min(1).optional(),
    kind: z.enum(PROVIDER_KINDS),
    /** Other names accepted in URIs (`together_ai` for `together`). */
    aliases: z.array(z.string().min(1)).default([]),
    base_url: z.string().url().optional(),
    /** Env var that overrides `base_url` (`OPENAI_BASE_URL`, as the official SDKs do). */
    base_url_env: z.string().min(1).optional(),
    auth_method: z.enum(['api_key', 'oauth', 'none']).default('api_key'),
    /** Env var holding the API key (`api_key`) or bearer token (`oauth`). */
    key_env: z.string().min(1).optional(),
    rate_limits: RateLimitsSchema.default({ rpm: 60, concurrency: 4 }),
    /** Model names accepted in URIs; `'*'` accepts any (local servers, model paths). */
    supported_models: z.array(z.string().min(1)).min(1),
    /** URI model name → the provider's model id, when they differ. */
    model_ids: z.record(z.string(), z.string().min(1)).default({}),
    /** USD per 1M tokens, for usage accounting; models not listed cost 0. */
    pricing: z.record(z.string(), ModelPricingSchema).default({}),
    /** How `score` works on this provider's completions endpoint. */
    score: z.enum(SCORE_METHODS).default('none'),
    /** Whether the server honours `response_format: json_schema`. */
    json_schema: z.boolean().default(false),
    /** Per-call timeout for this provider; `providers.timeout_ms` when absent. */
    timeout_ms: z.number().int().positive().optional(),
  })
  // Backend-specific settings (the MLX bridge's python path, llama's gpu layers…) pass through to
  // their factories, which validate them.
  .passthrough();
export type ProviderConfig = z.infer<typeof ProviderConfigSchema> & { name: string };

export const RetryConfigSchema = z
  .object({
    /** Retries after the first attempt. */
    retries: z.number().int().nonnegative().default(4),
    min_delay_ms: z.number().nonnegative().default(500),
    max_delay_ms: z.number().nonnegative().default(20_000),
    /** No retry starts after this much time since the first attempt. */
    max_retry_time_ms: z.number().positive().default(120_000),
    /** A 429 asking to wait longer than this moves the call to the fallback at once. */
    max_rate_limit_wait_ms: z.number().nonnegative().default(60_000),
  })
  .strict();
export type RetryConfig = z.infer<typeof RetryConfigSchema>;

export const ProvidersSectionSchema = z
  .object({
    /** The LM URI used when none is given. */
    primary: z.string().min(1).optional(),
    /** URIs tried in order after the primary fails for good. */
    fallback: z.array(z.string().min(1)).default([]),
    timeout_ms: z.number().int().positive().default(60_000),
    retry: RetryConfigSchema.default(RetryConfigSchema.parse({})),
    /** Level of the one-line-per-call log (`warn` is always used for failures). */
    log_calls: z.enum(['debug', 'info']).default('debug'),
    entries: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'provider names are lower-case letters, digits, _ or -'), ProviderConfigSchema).default({}),
  })
  .strict();
export type ProvidersSection = z.infer<typeof ProvidersSectionSchema>;

/** What a registry works from: the validated section with names filled in. */
export interface ProvidersSettings extends Omit<ProvidersSection, 'entries'> {
  entries: Map<string, ProviderConfig>;
}

/** Validates the `providers` config section and checks that names and aliases are unique. */
export function loadProvidersSettings(config: LoadedConfig): ProvidersSettings {
  const section = configSection(config, 'providers', ProvidersSectionSchema);
  const entries = new Map<string, ProviderConfig>();
  const seen = new Map<string, string>();
  for (const [key, entry] of Object.entries(section.entries)) {
    const name = entry.name ?? key;
    for (const alias of [name, ...entry.aliases]) {
      const other = seen.get(alias);
      if (other) {
        throw new ReerError('E_CONFIG', `invalid config: providers.entries.${key}: name "${alias}" is also used by ${other}`, {
          hint: 'Give each provider entry a unique name and unique aliases.',
        });
      }
      seen.set(alias, key);
    }
    entries.set(name, { ...entry, name });
  }
  return { ...section, entries };
}

/** The base URL a provider uses: its env override, else the config value. */
export function providerBaseUrl(entry: ProviderConfig, env: Env): string | undefined {
  const fromEnv = entry.base_url_env ? env[entry.base_url_env] : undefined;
  return fromEnv && fromEnv.length > 0 ? fromEnv : entry.base_url;
}

/** The credential a provider needs, or undefined when it needs none or it is missing. */
export function providerCredential(entry: ProviderConfig, env: Env): string | undefined {
  if (entry.auth_method === 'none' || !entry.key_env) return undefined;
  const value = env[entry.key_env];
  return value && value.length > 0 ? value : undefined;
}

/** True when the provider can be called: no credential needed, or it is present. */
export function providerHasCredential(entry: ProviderConfig, env: Env): boolean {
  return entry.auth_method === 'none' || providerCredential(entry, env) !== undefined;
}

/** Cost in USD of one call, from the provider's per-1M-token pricing (0 when not priced). */
export function callCostUsd(entry: ProviderConfig | undefined, model: string, inputTokens: number, outputTokens: number): number {
  const price = entry?.pricing[model];
  if (!price) return 0;
  return (inputTokens * price.input_per_1m + outputTokens * price.output_per_1m) / 1_000_000;
}
