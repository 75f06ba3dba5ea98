import { ReerError, errorMessage, silentLogger, type Env, type LoadedConfig, type Logger } from '@reer/core';
import { ANTHROPIC_CAPABILITIES, AnthropicBackend } from './backends/anthropic.ts';
import { OpenAiCompatibleBackend, openAiCompatibleCapabilities } from './backends/openai-compatible.ts';
import { LOCAL_DECLARED_CAPABILITIES, loadLocalBackendFactory } from './local-backends.ts';
import { parseLmUri, providerForUri } from './lm-uri.ts';
import { ManagedLanguageModel, type LmTarget } from './managed-lm.ts';
import {
  loadProvidersSettings,
  providerBaseUrl,
  providerCredential,
  providerHasCredential,
  type ProviderConfig,
  type ProviderKind,
  type ProvidersSettings,
  type RateLimits,
} from './provider-config.ts';
import { providerError } from './provider-error.ts';
import { DEFAULT_LIMIT_WINDOW_MS, ProviderLimiter } from './rate-limit.ts';
import type { BackendOptions, LanguageModel, LmBackend, LmCapabilities, UsageEntry } from './types.ts';
import { UsageLedger } from './usage.ts';

export interface RegistryOptions {
  config: LoadedConfig;
  env: Env;
  logger?: Logger;
  /** Replaces global fetch for every HTTP backend. */
  fetch?: typeof fetch;
  /** Length of the rate-limit window; only tests shorten it. @default 60000 */
  limitWindowMs?: number;
}

export interface ProviderInfo {
  name: string;
  kind: ProviderKind;
  aliases: string[];
  baseUrl: string | undefined;
  authMethod: ProviderConfig['auth_method'];
  /** Env var holding the credential (never its value). */
  keyEnv: string | undefined;
  hasCredential: boolean;
  models: string[];
  capabilities: LmCapabilities;
  rateLimits: RateLimits;
  /** This provider serves `providers.primary` / one of `providers.fallback`. */
  primary: boolean;
  fallback: boolean;
}

export interface HealthCheck {
  provider: string;
  ok: boolean;
  /** Not called: no credential, or a local provider with no concrete model to load. */
  skipped: boolean;
  latencyMs: number;
  detail: string;
  code?: string;
}

export interface LmRegistry {
  readonly settings: ProvidersSettings;
  /** A language model for `uri`; `dspy::` LMs get the configured fallbacks unless `fallback: false`. */
  resolve(uri: string, options?: { fallback?: boolean }): LanguageModel;
  /** Like `resolve`, and loads a local backend now so its capabilities are exact. */
  load(uri: string, options?: { fallback?: boolean }): Promise<LanguageModel>;
  /** The configured primary when its credential is present, else null (callers go offline). */
  defaultLm(): LanguageModel | null;
  /** URIs a default call may use, in order: the primary then the fallbacks that have credentials. */
  fallbackChain(): string[];
  /** Usage of every call made through this registry. */
  usage(): UsageEntry[];
  providers(): ProviderInfo[];
  /** A live health call to one provider (by name or alias). */
  check(name: string, options?: { timeoutMs?: number }): Promise<HealthCheck>;
  close(): Promise<void>;
}

function declaredCapabilities(entry: ProviderConfig): LmCapabilities {
  switch (entry.kind) {
    case 'anthropic':
      return ANTHROPIC_CAPABILITIES;
    case 'mlx':
    case 'llama':
      return LOCAL_DECLARED_CAPABILITIES[entry.kind];
    default:
      return openAiCompatibleCapabilities(entry);
  }
}

const isLocal = (entry: ProviderConfig) => entry.kind === 'mlx' || entry.kind === 'llama';

/** Build the registry from the `providers` config section and the environment. */
export function createRegistry(options: RegistryOptions): LmRegistry {
  const settings = loadProvidersSettings(options.config);
  const env = options.env;
  const logger = options.logger ?? silentLogger;
  const windowMs = options.limitWindowMs ?? DEFAULT_LIMIT_WINDOW_MS;
  const usage = new UsageLedger();
  const limiters = new Map<string, ProviderLimiter>();
  const targets = new Map<string, LmTarget>();
  const backends: LmBackend[] = [];

  const limiterFor = (entry: ProviderConfig) => {
    let limiter = limiters.get(entry.name);
    if (!limiter) {
      limiter = new ProviderLimiter(entry.rate_limits, windowMs);
      limiters.set(entry.name, limiter);
    }
    return limiter;
  };

  // `models pull` and `models list` honour `models.cache_dir`; the llama backend must look there too.
  const modelsCacheDir = (options.config.raw.models as { cache_dir?: unknown } | undefined)?.cache_dir;
  const backendOptions = (entry: ProviderConfig): BackendOptions => ({
    env,
    logger: logger.child({ provider: entry.name }),
    settings:
      entry.kind === 'llama' && typeof modelsCacheDir === 'string' && (entry as { cache_dir?: unknown }).cache_dir == null
        ? { ...(entry as Record<string, unknown>), cache_dir: modelsCacheDir }
        : (entry as Record<string, unknown>),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const createBackend = async (entry: ProviderConfig, model: string): Promise<LmBackend> => {
    switch (entry.kind) {
      case 'anthropic':
        return new AnthropicBackend(model, backendOptions(entry));
      case 'mlx':
      case 'llama': {
        const factory = await loadLocalBackendFactory(entry.kind);
        return factory(model, backendOptions(entry));
      }
      default:
        return new OpenAiCompatibleBackend(model, backendOptions(entry));
    }
  };

  const requireCredential = (entry: ProviderConfig, uri: string) => {
    if (providerHasCredential(entry, env)) return;
    throw new ReerError('E_PROVIDER_AUTH', `${uri}: ${entry.key_env ?? 'the credential'} is not set`, {
      hint: `Set ${entry.key_env ?? 'the key variable'} in the environment or in .env, or choose another --lm.`,
    });
  };

  const targetFor = (uri: string): LmTarget => {
    const parsed = parseLmUri(uri, settings);
    const entry = providerForUri(parsed, settings);
    const key = `${entry.name}\u0000${parsed.model}`;
    const existing = targets.get(key);
    if (existing) return existing;
    let loaded: Promise<LmBackend> | undefined;
    let backend: LmBackend | undefined;
    const target: LmTarget = {
      uri: parsed.uri,
      provider: entry.name,
      model: parsed.model,
      entry,
      limiter: limiterFor(entry),
      capabilities: () => backend?.capabilities ?? declaredCapabilities(entry),
      backend: () => {
        loaded ??= createBackend(entry, parsed.model).then((b) => {
          backend = b;
          backends.push(b);
          return b;
        });
        // A failed load (missing key, missing module) is retried on the next call, not cached.
        loaded.catch(() => {
          loaded = undefined;
        });
        return loaded;
      },
      scoreBatchSize: isLocal(entry) ? Number.POSITIVE_INFINITY : 1,
      timeoutMs: entry.timeout_ms ?? settings.timeout_ms,
    };
    targets.set(key, target);
    return target;
  };

  const usableFallbacks = (uri: string): LmTarget[] => {
    const chain: LmTarget[] = [];
    for (const candidate of settings.fallback) {
      if (candidate === uri) continue;
      const target = targetFor(candidate);
      if (!providerHasCredential(target.entry, env)) {
        logger.debug({ fallback: candidate, keyEnv: target.entry.key_env }, 'fallback skipped: no credential');
        continue;
      }
      chain.push(target);
    }
    return chain;
  };

  const scoringProviders = () =>
    [...settings.entries.values()]
      .filter((e) => declaredCapabilities(e).score)
      .map((e) => (providerHasCredential(e, env) ? e.name : `${e.name} (needs ${e.key_env ?? 'a credential'})`));

  const secrets = [...settings.entries.values()].map((e) => providerCredential(e, env)).filter((v): v is string => v !== undefined);

  const resolve = (uri: string, resolveOptions: { fallback?: boolean } = {}): ManagedLanguageModel => {
    const target = targetFor(uri);
    requireCredential(target.entry, uri);
    const withFallback = (resolveOptions.fallback ?? true) && !isLocal(target.entry);
    const chain = withFallback ? [target, ...usableFallbacks(target.uri).filter((t) => t !== target)] : [target];
    return new ManagedLanguageModel(chain, {
      retry: settings.retry,
      usage,
      logger,
      logCalls: settings.log_calls,
      scoringProviders,
      secrets,
    });
  };

  const primaryUsable = (): boolean => {
    if (!settings.primary) return false;
    const target = targetFor(settings.primary);
    return providerHasCredential(target.entry, env);
  };

  return {
    settings,
    resolve,
    load: async (uri, resolveOptions) => resolve(uri, resolveOptions).load(),
    defaultLm: () => (settings.primary && primaryUsable() ? resolve(settings.primary) : null),
    fallbackChain: () => {
      if (!settings.primary) return [];
      const chain = primaryUsable() ? [settings.primary] : [];
      return [...chain, ...usableFallbacks(settings.primary).map((t) => t.uri)];
    },
    usage: () => usage.snapshot(),
    providers: () => {
      const primaryProvider = settings.primary ? safeProvider(settings.primary, settings) : undefined;
      const fallbackProviders = new Set(settings.fallback.map((u) => safeProvider(u, settings)).filter((n): n is string => n !== undefined));
      return [...settings.entries.values()].map((entry) => ({
        name: entry.name,
        kind: entry.kind,
        aliases: entry.aliases,
        baseUrl: providerBaseUrl(entry, env),
        authMethod: entry.auth_method,
        keyEnv: entry.key_env,
        hasCredential: providerHasCredential(entry, env),
        models: entry.supported_models,
        capabilities: declaredCapabilities(entry),
        rateLimits: entry.rate_limits,
        primary: primaryProvider === entry.name,
        fallback: fallbackProviders.has(entry.name),
      }));
    },
    check: async (name, checkOptions = {}) => {
      const entry = [...settings.entries.values()].find((e) => e.name === name || e.aliases.includes(name));
      if (!entry) {
        throw new ReerError('E_PROVIDER_URI', `unknown provider "${name}" (configured: ${[...settings.entries.keys()].join(', ') || 'none'})`, {
          hint: 'Use a name listed by `social-run providers`.',
        });
      }
      const started = performance.now();
      const model = entry.supported_models.find((m) => m !== '*');
      if (!providerHasCredential(entry, env)) {
        return { provider: entry.name, ok: false, skipped: true, latencyMs: 0, detail: `not called: ${entry.key_env ?? 'the credential'} is not set`, code: 'E_PROVIDER_AUTH' };
      }
      if (isLocal(entry) && !model) {
        return { provider: entry.name, ok: false, skipped: true, latencyMs: 0, detail: `not called: local models load on first use (try: social-run ask --lm ${entry.kind}::<model> "hi")` };
      }
      const signal = AbortSignal.timeout(checkOptions.timeoutMs ?? Math.min(settings.timeout_ms, 30_000));
      try {
        const backend = await createBackend(entry, model ?? 'default');
        backends.push(backend);
        const detail = backend.health
          ? await backend.health(signal)
          : `answered "${(await backend.chat({ messages: [{ role: 'user', content: 'Reply with OK.' }], maxTokens: 1, temperature: 0 }, signal)).text.trim()}"`;
        return { provider: entry.name, ok: true, skipped: false, latencyMs: performance.now() - started, detail };
      } catch (thrown) {
        const error = signal.aborted
          ? new ReerError('E_TIMEOUT', `${entry.name}: no answer to the health check in time`)
          : providerError(thrown, { provider: entry.name, model: model ?? 'default', secrets });
        return { provider: entry.name, ok: false, skipped: false, latencyMs: performance.now() - started, detail: error.message, code: error.code };
      }
    },
    close: async () => {
      for (const limiter of limiters.values()) limiter.stop();
      const results = await Promise.allSettled(backends.map((b) => b.close?.()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) logger.warn({ error: errorMessage(failed.reason) }, 'closing an LM backend failed');
    },
  };
}

function safeProvider(uri: string, settings: ProvidersSettings): string | undefined {
  try {
    return providerForUri(parseLmUri(uri), settings).name;
  } catch {
    // A bad primary/fallback URI is reported when it is used; listing providers must still work.
    return undefined;
  }
}
