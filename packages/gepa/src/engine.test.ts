import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReerError } from '@reer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { componentName, currentText, scriptedLm } from '../test/scripted-lm.ts';
import { type ToyExample, examples, toyAdapter, trapJudge, trapReflection } from '../test/worlds.ts';
import { readCheckpoint } from './checkpoint.ts';
import { runGepa } from './engine.ts';
import type { Candidate, GepaAdapter, GepaResult, LineageEntry } from './types.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const plusses = (text: string | undefined) => (text ?? '').split('+').length - 1;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gepa-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Scores grow with the number of `+` in the instruction; perfect at 5. */
function plusJudge(candidate: Candidate) {
  const n = plusses(candidate.instruction);
  return { score: Math.min(1, n / 5), feedback: n >= 5 ? 'perfect' : `needs ${5 - n} more +` };
}

/** Proposals chosen by the request's seed: a `+` more, the same text, or a `+` fewer. */
const plusLm = () =>
  scriptedLm((request, prompt) => {
    const text = currentText(prompt);
    const pick = (request.seed ?? 0) % 3;
    const next = pick === 0 ? `${text}+` : pick === 1 ? text : text.replace('+', '');
    return `Try this:\n\`\`\`text\n${next}\n\`\`\`\n`;
  });

describe('runGepa: the loop', () => {
  const train = examples({ T: 6 });
  const val = examples({ V: 4 }, 100);

  it('costs b per skipped, 2b per rejected and 2b+|val| per accepted iteration, stopping at the budget', async () => {
    const adapter = toyAdapter(plusJudge);
    const lm = plusLm();
    const result = await runGepa({ seedCandidate: { instruction: 'go' }, trainset: train, valset: val, adapter, reflectionLm: lm, budget: 120, seed: 3 });

    let calls = val.length;
    const kinds = new Set<string>();
    for (const entry of result.lineage) {
      expect(calls).toBeLessThan(120);
      const cost = entry.kind === 'skipped' ? 3 : entry.kind === 'mutation' && entry.accepted ? 6 + val.length : 6;
      kinds.add(entry.kind === 'mutation' ? `mutation-${entry.accepted}` : entry.kind);
      calls += cost;
      expect(entry.metricCalls).toBe(calls);
    }
    expect(result.metricCalls).toBe(calls);
    expect(result.metricCalls).toBeGreaterThanOrEqual(120);
    expect(result.metricCalls).toBeLessThan(120 + 6 + val.length);
    expect(kinds).toEqual(new Set(['mutation-true', 'mutation-false', 'skipped']));
    // The adapter saw exactly the calls the budget counts.
    expect(sum(adapter.calls.map((c) => c.ids.length))).toBe(result.metricCalls);
    expect(result.stopReason).toBe('budget');
  });

  it('accepts only strict improvements on the same minibatch and never validates a rejected child', async () => {
    const adapter = toyAdapter(plusJudge);
    const result = await runGepa({ seedCandidate: { instruction: 'go' }, trainset: train, valset: val, adapter, reflectionLm: plusLm(), budget: 150, seed: 5 });
    const mutations = result.lineage.filter((e): e is Extract<LineageEntry, { kind: 'mutation' }> => e.kind === 'mutation');
    expect(mutations.some((m) => !m.accepted && sum(m.childScores) === sum(m.parentScores))).toBe(true);
    for (const m of mutations) expect(m.accepted).toBe(sum(m.childScores) > sum(m.parentScores));

    const pool = new Set(result.candidates.map((c) => c.texts.instruction));
    const validated = adapter.calls.filter((c) => c.ids[0] === 100).map((c) => c.texts.instruction);
    expect(new Set(validated)).toEqual(pool);
    expect(validated).toHaveLength(result.candidates.length);
    // The child is run on the parent's minibatch, in the same order.
    for (const m of mutations) expect(m.childScores).toHaveLength(m.minibatch.length);
  });

  it('skips perfect minibatches without calling the reflection LM', async () => {
    const adapter = toyAdapter(plusJudge);
    const lm = plusLm();
    const result = await runGepa({ seedCandidate: { instruction: 'go+++++' }, trainset: train, valset: val, adapter, reflectionLm: lm, budget: 40 });
    expect(result.lineage.every((e) => e.kind === 'skipped')).toBe(true);
    expect(lm.requests).toHaveLength(0);
    expect(result.metricCalls).toBe(4 + 3 * 12);
  });

  it('picks one component per iteration, round robin per candidate, a child continuing from its parent', async () => {
    const judge = (c: Candidate) => {
      const n = plusses(c.first) + plusses(c.second) + plusses(c.third);
      return { score: Math.min(1, n / 12), feedback: `${n}/12` };
    };
    const adapter = toyAdapter(judge);
    const lm = scriptedLm((request, prompt) => ((request.seed ?? 0) % 2 === 0 ? `\`\`\`\n${currentText(prompt)}+\n\`\`\`` : 'no fences, no change'));
    const seedCandidate = { first: 'a', second: 'b', third: 'c' };
    const result = await runGepa({ seedCandidate, trainset: train, valset: val, adapter, reflectionLm: lm, budget: 200, seed: 1 });
    const order = Object.keys(seedCandidate);
    const pointers = new Map<number, number>([[0, 0]]);
    const firstComponentOfChild: string[] = [];
    let mutations = 0;
    for (const entry of result.lineage) {
      if (entry.kind !== 'mutation') continue;
      mutations += 1;
      const p = pointers.get(entry.parent) ?? -1;
      expect(entry.component).toBe(order[p]);
      pointers.set(entry.parent, (p + 1) % order.length);
      if (entry.child !== null) pointers.set(entry.child, pointers.get(entry.parent)!);
      if (entry.parent > 0 && !firstComponentOfChild[entry.parent]) firstComponentOfChild[entry.parent] = entry.component;
      // The prompt named the component that the lineage records.
      expect(componentName(lm.requests[mutations - 1]!.messages[1]!.content)).toBe(entry.component);
    }
    expect(mutations).toBeGreaterThan(5);
    // Inheritance is visible: some child's first mutation is not the first component.
    expect(firstComponentOfChild.some((c) => c !== undefined && c !== 'first')).toBe(true);
  });

  it('ends the iteration without evaluating a child when the proposal is empty', async () => {
    const adapter = toyAdapter(plusJudge);
    const result = await runGepa({ seedCandidate: { instruction: 'go' }, trainset: train, valset: val, adapter, reflectionLm: scriptedLm(() => '```\n\n```'), budget: 20 });
    expect(result.lineage[0]).toMatchObject({ kind: 'mutation', accepted: false, childScores: [], child: null, metricCalls: 4 + 3 });
    expect(adapter.calls.every((c) => c.texts.instruction === 'go')).toBe(true);
  });

  it('returns the best mean validation score, ties to the oldest', async () => {
    // Every proposal keeps the score: nothing is accepted, the seed wins.
    const adapter = toyAdapter(() => ({ score: 0.5, feedback: 'half' }));
    const lm = scriptedLm(() => '```\nother\n```');
    const result = await runGepa({ seedCandidate: { instruction: 'seed' }, trainset: train, valset: val, adapter, reflectionLm: lm, budget: 30 });
    expect(result.bestIndex).toBe(0);
    expect(result.bestCandidate).toEqual({ instruction: 'seed' });
    expect(result.seedValScore).toBe(0.5);
  });

  it('rejects settings that cannot work, with a hint', async () => {
    const adapter = toyAdapter(plusJudge);
    const base = { trainset: train, valset: val, adapter, reflectionLm: plusLm() };
    await expect(runGepa({ ...base, seedCandidate: { instruction: '  ' }, budget: 100 })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(runGepa({ ...base, seedCandidate: { instruction: 'x' }, budget: 3 })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(runGepa({ ...base, trainset: [], seedCandidate: { instruction: 'x' }, budget: 100 })).rejects.toMatchObject({ code: 'E_INSUFFICIENT_DATA' });
  });
});

describe('runGepa: multi-objective fronts', () => {
  // X is best on objective `reach` everywhere but poor overall; Y is better overall.
  const objectivesOf = (text: string | undefined) => (text === 'Y' ? { reach: 0.9, voice: 0.9 } : { reach: 1, voice: 0 });
  const adapter = (withObjectives: boolean): GepaAdapter<ToyExample, string> => ({
    async evaluate(candidate, batch) {
      const o = objectivesOf(candidate.instruction);
      return {
        outputs: batch.map(() => candidate.instruction ?? ''),
        scores: batch.map(() => (o.reach + o.voice) / 2),
        feedback: batch.map(() => 'more voice'),
        ...(withObjectives ? { objectiveScores: batch.map(() => o) } : {}),
      };
    },
  });
  const run = (withObjectives: boolean) =>
    runGepa({ seedCandidate: { instruction: 'X' }, trainset: examples({ T: 4 }), adapter: adapter(withObjectives), reflectionLm: scriptedLm(() => '```\nY\n```'), budget: 120, seed: 1 });

  it('keeps a front per example and objective, so a specialist on one objective stays selectable', async () => {
    const multi = await run(true);
    expect(multi.paretoFront).toHaveLength(4 * 2);
    expect(multi.candidates[1]?.objectiveScores).toEqual({ reach: 0.9, voice: 0.9 });
    const parentsAfter = (r: GepaResult) => r.lineage.filter((e) => e.iteration > 1 && e.kind !== 'merge').map((e) => (e.kind === 'merge' ? -1 : e.parent));
    expect(parentsAfter(multi)).toContain(0);
    // With the scalar score only, Y dominates X everywhere and X is never chosen again.
    const single = await run(false);
    expect(single.paretoFront).toHaveLength(4);
    expect(parentsAfter(single)).not.toContain(0);
    expect(multi.bestIndex).toBe(1);
  });
});

describe('runGepa: merge', () => {
  const data = examples({ A: 3, B: 3, C: 3 });
  const seedCandidate = { a: 'start', b: 'start' };
  /** A needs `alpha` in a; B needs `beta` in b; C is only solved by the untouched seed. */
  const judge = (conflict: boolean) => (c: Candidate, e: ToyExample) => {
    if (conflict && c.a === 'alpha' && c.b === 'beta') return { score: 0, feedback: 'alpha and beta clash' };
    if (e.kind === 'A') return c.a === 'alpha' ? { score: 1, feedback: 'ok' } : { score: 0, feedback: 'a needs alpha' };
    if (e.kind === 'B') return c.b === 'beta' ? { score: 1, feedback: 'ok' } : { score: 0, feedback: 'b needs beta' };
    return c.a === 'start' && c.b === 'start' ? { score: 1, feedback: 'ok' } : { score: 0, feedback: 'changed' };
  };
  const lm = () => scriptedLm((_r, prompt) => `\`\`\`\n${componentName(prompt) === 'a' ? 'alpha' : 'beta'}\n\`\`\``);

  async function runs(conflict: boolean): Promise<{ result: GepaResult; calls: ReturnType<typeof toyAdapter>['calls'] }[]> {
    const out = [];
    for (let seed = 0; seed < 20; seed++) {
      const adapter = toyAdapter(judge(conflict));
      const result = await runGepa({ seedCandidate, trainset: data, adapter, reflectionLm: lm(), budget: 150, merge: true, seed });
      out.push({ result, calls: adapter.calls });
    }
    return out;
  }

  it('merges module by module right after an accepted mutation and accepts at the better parent’s sum', async () => {
    let accepted = 0;
    for (const { result } of await runs(false)) {
      let calls = data.length;
      result.lineage.forEach((entry, k) => {
        const before = calls;
        calls = entry.metricCalls;
        if (entry.kind !== 'merge') return;
        const previous = result.lineage[k - 1];
        expect(previous?.kind === 'mutation' && previous.accepted).toBe(true);
        expect(entry.valIds).toHaveLength(5);
        expect(entry.accepted).toBe(sum(entry.childScores) >= Math.max(...entry.parentSums));
        expect(calls - before).toBe(entry.accepted ? 5 + data.length : 5);
        if (entry.accepted) {
          accepted += 1;
          const child = result.candidates[entry.child!]!;
          expect(child.parents).toEqual(entry.parents);
          expect(child.origin).toBe('merge');
          // One parent changed a, the other b: the child takes both changes.
          expect(child.texts).toEqual({ a: 'alpha', b: 'beta' });
        }
      });
      expect(result.candidates.filter((c) => c.origin === 'merge').length).toBeLessThanOrEqual(5);
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('rejects a merge scoring below the better parent and never validates it', async () => {
    let rejected = 0;
    for (const { result, calls } of await runs(true)) {
      for (const entry of result.lineage) {
        if (entry.kind !== 'merge') continue;
        expect(entry.accepted).toBe(false);
        rejected += 1;
      }
      expect(calls.filter((c) => c.texts.a === 'alpha' && c.texts.b === 'beta' && c.ids.length === data.length)).toHaveLength(0);
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('never merges when merge is off', async () => {
    const result = await runGepa({ seedCandidate, trainset: data, adapter: toyAdapter(judge(false)), reflectionLm: lm(), budget: 150, seed: 2 });
    expect(result.lineage.some((e) => e.kind === 'merge')).toBe(false);
  });
});

describe('runGepa: determinism, checkpoints and resume', () => {
  const data = examples({ A: 5, B: 5 });
  const options = (runId: string | null, seed = 0) => ({
    seedCandidate: { instruction: 'write' },
    trainset: data,
    adapter: toyAdapter(trapJudge),
    reflectionLm: scriptedLm((_r, prompt) => trapReflection(prompt, currentText(prompt))),
    budget: 200,
    merge: true,
    seed,
    ...(runId ? { checkpoint: { dir, runId } } : {}),
  });
  const comparable = (r: GepaResult) => ({ ...r, runId: null });

  it('reproduces a run call for call from the same seed', async () => {
    const a = toyAdapter(trapJudge);
    const b = toyAdapter(trapJudge);
    const first = await runGepa({ ...options(null, 4), adapter: a });
    const second = await runGepa({ ...options(null, 4), adapter: b });
    expect(second).toEqual(first);
    expect(b.calls).toEqual(a.calls);
    const other = await runGepa(options(null, 5));
    expect(other.lineage).not.toEqual(first.lineage);
  });

  it('resumes after a stop between iterations (and a torn last line) to the same result', async () => {
    const full = await runGepa(options('full'));
    const partial = await runGepa({ ...options('killed'), maxIterations: 4 });
    expect(partial.stopReason).toBe('max-iterations');
    expect(partial.iterations).toBe(4);
    appendFileSync(join(dir, 'killed.jsonl'), '{"id":"torn');
    const again = await runGepa({ ...options('killed'), resume: true, maxIterations: 3 });
    expect(again.iterations).toBe(7);
    appendFileSync(join(dir, 'killed.jsonl'), '{"id":"torn again');
    const resumed = await runGepa({ ...options('killed'), resume: true });
    expect(comparable(resumed)).toEqual(comparable(full));
    // Append-only: one line for the seed, one per iteration, plus the two torn ones.
    const lines = readFileSync(join(dir, 'killed.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + full.iterations + 2);
    expect(readCheckpoint(join(dir, 'killed.jsonl')).tornLines).toBe(2);
  });

  it('refuses a checkpoint with a lost line', async () => {
    await runGepa({ ...options('gap'), maxIterations: 5 });
    const file = join(dir, 'gap.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(file, `${[...lines.slice(0, 2), ...lines.slice(3)].join('\n')}\n`);
    await expect(runGepa({ ...options('gap'), resume: true })).rejects.toMatchObject({ code: 'E_STORE_CORRUPT' });
  });

  it('resumes after a crash inside an iteration to the same result', async () => {
    const full = await runGepa(options('full'));
    let reflections = 0;
    const crashing = scriptedLm((_r, prompt) => {
      reflections += 1;
      if (reflections === 2) throw new Error('killed');
      return trapReflection(prompt, currentText(prompt));
    });
    await expect(runGepa({ ...options('crashed'), reflectionLm: crashing })).rejects.toThrow('killed');
    const resumed = await runGepa({ ...options('crashed'), resume: true });
    expect(comparable(resumed)).toEqual(comparable(full));
    expect(full.lineage.filter((e) => e.kind === 'mutation').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses to overwrite a run or to resume with other settings', async () => {
    await runGepa({ ...options('once'), maxIterations: 1 });
    const fresh = runGepa(options('once'));
    await expect(fresh).rejects.toMatchObject({ code: 'E_USAGE' });
    const otherSeed = runGepa({ ...options('once', 9), resume: true });
    await expect(otherSeed).rejects.toSatisfy((e: unknown) => isReerError(e, 'E_USAGE'));
    await expect(runGepa({ ...options('never'), resume: true })).rejects.toMatchObject({ code: 'E_INPUT_NOT_FOUND' });
  });
});

describe('Pareto selection against greedy on the designed task', () => {
  const data = examples({ A: 5, B: 5 });
  async function outcomes(selection: 'pareto' | 'best' | 'best-newest') {
    const scores: number[] = [];
    for (let seed = 0; seed < 20; seed++) {
      const result = await runGepa({
        seedCandidate: { instruction: 'write' },
        trainset: data,
        adapter: toyAdapter(trapJudge),
        reflectionLm: scriptedLm((_r, prompt) => trapReflection(prompt, currentText(prompt))),
        budget: 200,
        candidateSelection: selection,
        seed,
      });
      scores.push(result.bestValScore);
    }
    return { mean: sum(scores) / scores.length, full: scores.filter((s) => s === 1).length };
  }

  it('reaches full coverage more often than greedy with either tie-breaking rule, over 20 seeds', async () => {
    const pareto = await outcomes('pareto');
    const oldest = await outcomes('best');
    const newest = await outcomes('best-newest');
    console.info(`designed task over 20 seeds: pareto ${JSON.stringify(pareto)}, greedy-oldest ${JSON.stringify(oldest)}, greedy-newest ${JSON.stringify(newest)}`);
    expect(pareto.full).toBeGreaterThanOrEqual(18);
    expect(pareto.full).toBeGreaterThan(oldest.full + 4);
    expect(pareto.full).toBeGreaterThan(newest.full + 4);
    expect(pareto.mean).toBeGreaterThan(oldest.mean);
    expect(pareto.mean).toBeGreaterThan(newest.mean);
  });
});
