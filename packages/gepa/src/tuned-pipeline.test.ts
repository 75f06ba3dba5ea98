import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentText, scriptedLm } from '../test/scripted-lm.ts';
import { examples, toyAdapter, trapJudge, trapReflection } from '../test/worlds.ts';
import { runGepa } from './engine.ts';
import { TunedPipelineFileSchema, writeTunedPipeline } from './tuned-pipeline.ts';

describe('writeTunedPipeline', () => {
  it('writes the winner, scores, budget and lineage, and no training examples', async () => {
    const data = examples({ A: 5, B: 5 }).map((e) => ({ ...e, secret: `private text ${e.id}` }));
    const result = await runGepa({
      seedCandidate: { instruction: 'write' },
      trainset: data,
      adapter: toyAdapter(trapJudge),
      reflectionLm: scriptedLm((_r, p) => trapReflection(p, currentText(p))),
      budget: 200,
    });
    const dir = mkdtempSync(join(tmpdir(), 'gepa-tuned-'));
    try {
      const file = join(dir, 'models', 'tuned_pipeline.json');
      writeTunedPipeline(file, { result, demos: [{ postText: 'a demo' }], trainSize: 10, valSize: 10, programLm: 'openai:gpt', now: new Date('2026-01-01T00:00:00Z') });
      const text = readFileSync(file, 'utf8');
      const doc = TunedPipelineFileSchema.parse(JSON.parse(text));
      expect(doc.components).toEqual(result.bestCandidate);
      expect(doc.scores).toEqual({ seed: result.seedValScore, tuned: result.bestValScore });
      expect(doc.budget).toEqual({ max: 200, used: result.metricCalls, iterations: result.iterations });
      expect(doc.lineage).toHaveLength(result.lineage.length);
      expect(doc.demos).toEqual([{ postText: 'a demo' }]);
      expect(text).not.toContain('private text');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
