export { createLlamaBackend, LlamaBackend, LlamaSettingsSchema } from './llama-backend.ts';
export type { LlamaSettings } from './llama-backend.ts';
export {
  CatalogEntrySchema,
  ModelsConfigSchema,
  MODEL_NAME_PATTERN,
  loadModelsConfig,
  resolveModelCacheDir,
  resolveHuggingfaceEndpoint,
  huggingfaceUrl,
} from './catalog.ts';
export type { CatalogEntry, ModelsConfig } from './catalog.ts';
export {
  listCachedModels,
  pullModel,
  resolveModelFile,
  findCachedDefaultModel,
  cachedModelFile,
  sha256File,
  DEFAULT_MODEL_PREFERENCE,
} from './model-cache.ts';
export type { CachedModel, ModelManifest, PullOptions, PullProgress, PullResult } from './model-cache.ts';
