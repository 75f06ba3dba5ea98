import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isReerError, loadConfig } from '@reer/core';
import {
  ModelsConfigSchema,
  findCachedDefaultModel,
  listCachedModels,
  loadModelsConfig,
  pullModel,
  resolveModelCacheDir,
  resolveModelFile,
  type ModelsConfig,
  type PullProgress,
} from './index.ts';

const payload = Buffer.from('GGUF'.padEnd(200_000, 'x'));
const payloadSha = createHash('sha256').update(payload).digest('hex');

let server: Server;
let endpoint: string;
const requests: Array<{ url: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    if (req.url === '/owner/repo/resolve/main/model.gguf') {
      res.writeHead(200, { 'content-length': String(payload.length) });
      // Two writes so progress is reported more than once.
      res.write(payload.subarray(0, 100_000));
      setImmediate(() => res.end(payload.subarray(100_000)));
    } else if (req.url === '/owner/gated/resolve/main/model.gguf') {
      res.writeHead(401).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reer-model-cache-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  requests.length = 0;
});

function catalog(sha256: string | null, repo = 'owner/repo'): ModelsConfig {
  return ModelsConfigSchema.parse({
    huggingface_endpoint: endpoint,
    catalog: {
      tiny: { description: 'test model', huggingface: { repo, file: 'model.gguf' }, sha256, license: 'mit', instruct: true, parameters: '1M', quantization: 'Q8_0' },
    },
  });
}

describe('models config', () => {
  it('validates the shipped catalog', () => {
    const models = loadModelsConfig(loadConfig());
    expect(Object.keys(models.catalog)).toEqual(expect.arrayContaining(['gemma3-270m-it', 'smollm2-135m-instruct', 'smollm2-360m-instruct']));
    expect(models.catalog['smollm2-135m-instruct']?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the bad field', () => {
    expect(() => ModelsConfigSchema.parse({ catalog: { Bad_Name: {} } })).toThrow();
    const error = (() => {
      try {
        loadModelsConfig({ raw: { models: { catalog: { tiny: { description: 'x', huggingface: { repo: 'nope', file: 'a.gguf' }, license: 'x', instruct: true, parameters: '1', quantization: 'q' } } } }, files: ['test.yaml'] });
      } catch (e) {
        return e;
      }
    })();
    expect(isReerError(error, 'E_CONFIG')).toBe(true);
    expect(String((error as Error).message)).toContain('models.catalog.tiny.huggingface.repo');
  });

  it('resolves the cache directory: env, then config, then ~/.cache/reer/models', () => {
    expect(resolveModelCacheDir({ env: { REER_MODEL_CACHE: '/a' }, configured: '/b' })).toBe('/a');
    expect(resolveModelCacheDir({ env: {}, configured: '/b' })).toBe('/b');
    expect(resolveModelCacheDir({ env: {} })).toBe(join(homedir(), '.cache', 'reer', 'models'));
  });
});

describe('pullModel', () => {
  it('downloads with progress, verifies the checksum and records a manifest', async () => {
    const cacheDir = tempDir();
    const progress: PullProgress[] = [];
    const result = await pullModel('tiny', { models: catalog(payloadSha), cacheDir, onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ name: 'tiny', sha256: payloadSha, verified: true, alreadyCached: false, sizeBytes: payload.length });
    expect(readFileSync(result.path).equals(payload)).toBe(true);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ receivedBytes: payload.length, totalBytes: payload.length });
    const [listed] = listCachedModels(cacheDir, catalog(payloadSha));
    expect(listed).toMatchObject({ name: 'tiny', sha256: payloadSha, verified: true, inCatalog: true, source: 'huggingface:owner/repo/model.gguf@main' });

    const again = await pullModel('tiny', { models: catalog(payloadSha), cacheDir });
    expect(again.alreadyCached).toBe(true);
    expect(requests).toHaveLength(1);
  });

  it('discards a download whose checksum does not match', async () => {
    const cacheDir = tempDir();
    const error = await pullModel('tiny', { models: catalog('0'.repeat(64)), cacheDir }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_MODEL_NOT_FOUND')).toBe(true);
    expect(String((error as Error).message)).toContain('checksum mismatch');
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('records an unverified checksum when the catalog has none', async () => {
    const cacheDir = tempDir();
    const result = await pullModel('tiny', { models: catalog(null), cacheDir });
    expect(result).toMatchObject({ verified: false, sha256: payloadSha });
  });

  it('sends HF_TOKEN and explains a refused gated download', async () => {
    const cacheDir = tempDir();
    const error = await pullModel('tiny', { models: catalog(null, 'owner/gated'), cacheDir, env: { HF_TOKEN: 'hf_secret_token' } }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_PROVIDER_AUTH')).toBe(true);
    expect(requests[0]?.authorization).toBe('Bearer hf_secret_token');
    expect(String((error as Error).message)).not.toContain('hf_secret_token');
  });

  it('rejects names outside the catalog', async () => {
    const error = await pullModel('nope', { models: catalog(null), cacheDir: tempDir() }).catch((e: unknown) => e);
    expect(isReerError(error, 'E_USAGE')).toBe(true);
    expect((error as { hint?: string }).hint).toContain('tiny');
  });
});

describe('cached model lookup', () => {
  it('resolves names in the cache and paths, and says what to run when missing', () => {
    const cacheDir = tempDir();
    writeFileSync(join(cacheDir, 'tiny.gguf'), 'GGUF');
    expect(resolveModelFile('tiny', { cacheDir })).toBe(join(cacheDir, 'tiny.gguf'));
    expect(resolveModelFile(join(cacheDir, 'tiny.gguf'), { cacheDir: '/elsewhere' })).toBe(join(cacheDir, 'tiny.gguf'));
    expect(() => resolveModelFile('other', { cacheDir })).toThrow(/not in the cache/);
    expect(() => resolveModelFile('Bad Name', { cacheDir })).toThrow(/not a model name/);
    expect(() => resolveModelFile('/no/such/file.gguf', { cacheDir })).toThrow(/not found/);
  });

  it('picks the default local model by preference, or null for an empty cache', () => {
    const cacheDir = tempDir();
    expect(findCachedDefaultModel({ cacheDir })).toBeNull();
    expect(findCachedDefaultModel({ env: { REER_MODEL_CACHE: join(cacheDir, 'missing') } })).toBeNull();
    writeFileSync(join(cacheDir, 'zeta.gguf'), 'GGUF');
    expect(findCachedDefaultModel({ cacheDir })).toBe('llama::zeta');
    writeFileSync(join(cacheDir, 'smollm2-135m-instruct.gguf'), 'GGUF');
    expect(findCachedDefaultModel({ env: { REER_MODEL_CACHE: cacheDir } })).toBe('llama::smollm2-135m-instruct');
    writeFileSync(join(cacheDir, 'gemma3-270m-it.gguf'), 'GGUF');
    expect(findCachedDefaultModel({ cacheDir })).toBe('llama::gemma3-270m-it');
    const custom = ModelsConfigSchema.parse({ preference: ['smollm2-135m-instruct'] });
    expect(findCachedDefaultModel({ cacheDir, models: custom })).toBe('llama::smollm2-135m-instruct');
  });

  it('lists hand-placed files without a manifest and ignores partial downloads', () => {
    const cacheDir = tempDir();
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'mine.gguf'), 'GGUF');
    writeFileSync(join(cacheDir, 'tiny.gguf.part-123'), 'GG');
    writeFileSync(join(cacheDir, 'notes.txt'), 'x');
    const listed = listCachedModels(cacheDir);
    expect(listed.map((m) => m.name)).toEqual(['mine']);
    expect(listed[0]).toMatchObject({ sha256: null, verified: false, inCatalog: false, sizeBytes: 4 });
    expect(existsSync(join(cacheDir, 'mine.json'))).toBe(false);
  });
});
