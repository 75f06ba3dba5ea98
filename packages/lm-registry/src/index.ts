export { summarizeLogprobs, REER_LOGPROB_CLIP } from './score-summary.ts';
export { createRegistry } from './registry.ts';
export { createOpenAiCompatibleBackend } from './backends/openai-compatible.ts';
export type { LmRegistry, RegistryOptions, ProviderInfo, HealthCheck } from './registry.ts';
export { createAxService } from './ax-service.ts';
export { parseLmUri, LM_SCHEMES } from './lm-uri.ts';
export type { LmUri, LmScheme } from './lm-uri.ts';
export {
  PROVIDER_KINDS,
  SCORE_METHODS,
  ProviderConfigSchema,
  ProvidersSectionSchema,
  RateLimitsSchema,
  RetryConfigSchema,
  loadProvidersSettings,
} from './provider-config.ts';
export type { ProviderConfig, ProviderKind, ProvidersSection, ProvidersSettings, RateLimits, RetryConfig, ScoreMethod } from './provider-config.ts';
export { usageOfResults, usageOfEntries } from './usage.ts';
export { redactSecrets } from './provider-error.ts';
export type {
  LmCapabilities,
  Capability,
  ChatMessage,
  ChatRequest,
  TokenUsage,
  FinishReason,
  BackendChatResult,
  ChatResult,
  StreamEvent,
  ScoreRequest,
  TokenLogprob,
  ScoreResult,
  LmBackend,
  UsageEntry,
  LanguageModel,
  BackendOptions,
  BackendFactory,
} from './types.ts';
export {
  createLlamaBackend,
  LlamaSettingsSchema,
  ModelsConfigSchema,
  loadModelsConfig,
  resolveModelCacheDir,
  listCachedModels,
  pullModel,
  findCachedDefaultModel,
} from './backends/llama/index.ts';
export type { LlamaBackend, LlamaSettings, CatalogEntry, ModelsConfig, CachedModel, PullProgress, PullResult } from './backends/llama/index.ts';
