import { ReerError } from '@reer/core';
import { describe, expect, it } from 'vitest';
import { engineTeacher, postTaskAdapter, postTaskExamples, SEED_INSTRUCTION } from '../test/simulated-post-task.ts';
import { runGepa } from './engine.ts';
import { createProgramAdapter } from './program-adapter.ts';

describe('createProgramAdapter', () => {
  it('keeps batch order with concurrent runs and scores a failed run 0 with the error as feedback', async () => {
    const adapter = createProgramAdapter<number, string>({
      run: async (_c, n) => {
        await new Promise((r) => setImmediate(r));
        if (n === 2) throw new Error('could not parse the output');
        return `post ${n}`;
      },
      metric: (n, out) => ({ score: n / 10, feedback: `fb ${out}`, objectives: { length: out.length } }),
      concurrency: 3,
    });
    const ev = await adapter.evaluate({ instruction: 'x' }, [1, 2, 3, 4], { captureTraces: true });
    expect(ev.outputs).toEqual(['post 1', null, 'post 3', 'post 4']);
    expect(ev.scores).toEqual([0.1, 0, 0.3, 0.4]);
    expect(ev.feedback[1]).toContain('could not parse the output');
    expect(ev.objectiveScores).toEqual([{ length: 6 }, {}, { length: 6 }, { length: 6 }]);
    const records = adapter.reflectionRecords!({ instruction: 'x' }, 'instruction', [1, 2, 3, 4], ev);
    expect(records[1]?.outputs).toContain('the program failed');
  });

  it('stops the run on errors that would fail every example alike', async () => {
    const adapter = createProgramAdapter<number, string>({
      run: async () => {
        throw new ReerError('E_PROVIDER_AUTH', 'bad key');
      },
      metric: () => ({ score: 1, feedback: '' }),
    });
    await expect(adapter.evaluate({ instruction: 'x' }, [1], { captureTraces: false })).rejects.toMatchObject({ code: 'E_PROVIDER_AUTH' });
  });
});

describe('createAxAdapter', () => {
  it('tunes an Ax program’s instruction on the simulated task', async () => {
    const adapter = postTaskAdapter();
    const result = await runGepa({
      seedCandidate: { instruction: SEED_INSTRUCTION },
      trainset: postTaskExamples(12, 1),
      valset: postTaskExamples(8, 2),
      adapter,
      reflectionLm: engineTeacher(0),
      budget: 150,
    });
    expect(result.seedValScore).toBe(0);
    expect(result.bestValScore).toBeGreaterThan(0.5);
    expect(result.bestCandidate.instruction).not.toBe(SEED_INSTRUCTION);
  });
});
