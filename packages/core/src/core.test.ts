import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  PostDataSchema,
  ReerError,
  configSection,
  createLogger,
  isReerError,
  loadConfig,
  loadEnv,
  resolveDataDir,
  secretValues,
} from './index.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'reer-core-'));
}

describe('ReerError', () => {
  it('carries a stable code, a hint and the kind the CLI maps to an exit code', () => {
    const error = new ReerError('E_INPUT_FORMAT', 'x.csv: unknown format', { hint: 'pass --map' });
    expect(isReerError(error, 'E_INPUT_FORMAT')).toBe(true);
    expect(isReerError(error, 'E_CONFIG')).toBe(false);
    expect(error.kind).toBe('input');
    expect(new ReerError('E_CHECK_FAILED', 'gate').kind).toBe('check');
    expect(error.hint).toBe('pass --map');
  });
});

describe('config', () => {
  it('deep-merges the defaults, REER_CONFIG and --config in that order', () => {
    const dir = tempDir();
    const defaults = join(dir, 'default.yaml');
    writeFileSync(defaults, 'scorer:\n  weights:\n    hook: 1\n    link: 2\nproviders:\n  primary: a\n');
    writeFileSync(join(dir, 'env.yaml'), 'scorer:\n  weights:\n    link: 3\n');
    writeFileSync(join(dir, 'cli.yaml'), 'providers:\n  primary: b\n');
    const config = loadConfig({ defaultsPath: defaults, env: { REER_CONFIG: 'env.yaml' }, configPath: 'cli.yaml', cwd: dir });
    expect(config.raw).toEqual({ scorer: { weights: { hook: 1, link: 3 } }, providers: { primary: 'b' } });
    expect(config.files).toHaveLength(3);
  });

  it('names the field and the files when a section is invalid', () => {
    const dir = tempDir();
    const defaults = join(dir, 'default.yaml');
    writeFileSync(defaults, 'scorer:\n  weights:\n    hook: high\n');
    const config = loadConfig({ defaultsPath: defaults });
    const schema = z.object({ weights: z.record(z.string(), z.number()) });
    expect(() => configSection(config, 'scorer', schema)).toThrow(/scorer\.weights\.hook: .*default\.yaml/);
  });

  it('reports invalid YAML with file and line', () => {
    const dir = tempDir();
    const defaults = join(dir, 'default.yaml');
    writeFileSync(defaults, 'a: 1\nb: [unclosed\n');
    expect(() => loadConfig({ defaultsPath: defaults })).toThrow(/default\.yaml:\d+: invalid YAML/);
  });

  it('rejects a --config path that does not exist', () => {
    expect(() => loadConfig({ configPath: '/nonexistent/x.yaml' })).toThrow(/config file not found/);
  });
});

describe('env and data dir', () => {
  it('layers the real environment over .env and finds the secrets', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'OPENAI_API_KEY=sk-from-file-123\nREER_DATA_DIR=from-file\n');
    const env = loadEnv({ cwd: dir, env: { REER_DATA_DIR: 'from-env' } });
    expect(env.OPENAI_API_KEY).toBe('sk-from-file-123');
    expect(env.REER_DATA_DIR).toBe('from-env');
    expect(secretValues(env)).toEqual(['sk-from-file-123']);
    expect(resolveDataDir({ env, cwd: '/tmp/x' })).toBe('/tmp/x/from-env');
    expect(resolveDataDir({ dataDir: '/abs', env, cwd: '/tmp/x' })).toBe('/abs');
    expect(resolveDataDir({ cwd: '/tmp/x' })).toBe('/tmp/x/data');
  });
});

describe('logger', () => {
  it('never writes an API key, by path or by value', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ secrets: ['sk-secret-value-42'], destination, pretty: false });
    logger.info({ apiKey: 'sk-secret-value-42', headers: { authorization: 'Bearer abcdefghijkl' } }, 'calling');
    logger.warn('failed with key sk-secret-value-42 in the message');
    logger.info({ request: { url: 'http://x', body: 'Authorization: Bearer abcdefghijklmnop' } }, 'nested');
    const all = lines.join('');
    expect(lines).toHaveLength(3);
    expect(all).not.toContain('sk-secret-value-42');
    expect(all).not.toContain('abcdefghijkl');
    expect(all).toContain('[Redacted]');
  });
});

describe('post schema', () => {
  it('accepts a normalized post and rejects unknown metrics', () => {
    const post = {
      platform: 'x',
      post_id: '1',
      author: 'a',
      text: 'hi',
      created_at: '2020-01-01T00:00:00.000Z',
      is_reply: false,
      is_repost: false,
      metrics: { likes: 3 },
    };
    expect(PostDataSchema.safeParse(post).success).toBe(true);
    expect(PostDataSchema.safeParse({ ...post, metrics: { favs: 3 } }).success).toBe(false);
    expect(PostDataSchema.safeParse({ ...post, created_at: '2020-01-01' }).success).toBe(false);
  });
});
