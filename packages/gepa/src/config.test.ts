import { configSection, loadConfig } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { GepaConfigSchema } from './config.ts';

describe('the gepa config section', () => {
  it('parses the shipped defaults', () => {
    const config = configSection(loadConfig(), 'gepa', GepaConfigSchema);
    expect(config).toMatchObject({ budget: 300, minibatch_size: 3, merge: false, max_merges: 5, seed: 0 });
  });

  it('names a bad field', () => {
    expect(() => configSection({ raw: { gepa: { budget: -1 } }, files: ['x.yaml'] }, 'gepa', GepaConfigSchema)).toThrow(/gepa\.budget/);
  });
});
