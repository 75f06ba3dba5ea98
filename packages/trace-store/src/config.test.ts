import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { storeOptionsFromConfig } from './config.ts';

describe('store config', () => {
  it('reads the shipped defaults', () => {
    expect(storeOptionsFromConfig(loadConfig())).toMatchObject({
      rotateBytes: 268435456,
      lockTimeoutMs: 30000,
      lockStaleMs: 10000,
      backupRetention: 7,
    });
  });

  it('takes overrides and names a bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reer-store-config-'));
    try {
      const good = join(dir, 'good.yaml');
      writeFileSync(good, 'store:\n  rotate_bytes: 1048576\n  backup_retention: 2\n');
      expect(storeOptionsFromConfig(loadConfig({ configPath: good }))).toMatchObject({ rotateBytes: 1048576, backupRetention: 2, lockStaleMs: 10000 });
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'store:\n  lock_stale_ms: 500\n');
      expect(() => storeOptionsFromConfig(loadConfig({ configPath: bad }))).toThrow(/store\.lock_stale_ms/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
